"""Fixtures shared by the allocation and blind-marking tests: a checkpoint, a
submission whose snapshot carries unique strings, and three more tutors of the
cohort. The tests of this folder get them from here."""

import pytest

from tests.reflect.assessment_factories import add_tutor, make_checkpoint, make_submission, publish_entry

SECRETS = ["qzSnapTitle", "qzSnapBody", "qzSnapSummary"]


@pytest.fixture
def checkpoint(cohort):
    return make_checkpoint(cohort)


@pytest.fixture
def submission(trainee, cohort, checkpoint):
    entry = publish_entry(trainee, cohort, title="Title qzSnapTitle", body="Body qzSnapBody")
    return make_submission(checkpoint, trainee, entries=[entry], summary="Summary qzSnapSummary")


@pytest.fixture
def tutor2(user_factory, cohort):
    return add_tutor(user_factory, cohort)


@pytest.fixture
def tutor_b(user_factory, cohort):
    return add_tutor(user_factory, cohort, "hana@example.test", "Hana Tutor")


@pytest.fixture
def moderator(user_factory, cohort):
    return add_tutor(user_factory, cohort, "gail@example.test", "Gail Moderator")
