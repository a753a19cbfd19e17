import datetime
import functools

import pytest

from config.celery import app
from reflect.cohorts.models import Cohort, Programme
from tests.reflect.assessment_factories import make_checkpoint, make_rubric


@pytest.fixture(autouse=True)
def _tasks_run_at_once():
    """Celery tasks run in the test's own thread when they are enqueued."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what waits for the transaction to commit (the
    emails a roster change sends) when the block ends, as a real commit would."""
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def admin_client(client_for, course_admin):
    return client_for(course_admin)


@pytest.fixture
def outsider(user_factory):
    """Runs a different programme, with no cohorts."""
    user = user_factory("frank@example.test", "Frank Elsewhere")
    Programme.objects.create(name="Another Programme").admins.add(user)
    return user


@pytest.fixture
def frank(user_factory):
    """Admin of another programme, with a cohort of his own (`frank.own_cohort`)."""
    user = user_factory("frank@example.test", "Frank Admin")
    programme = Programme.objects.create(name="Other Diploma")
    programme.admins.add(user)
    user.own_cohort = Cohort.objects.create(
        programme=programme, name="Frank's", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 1)
    )
    return user


@pytest.fixture
def programme_admin(user_factory, programme):
    """Runs the test programme through `Programme.admins`, with no membership in any cohort."""
    user = user_factory("grace@example.test", "Grace Programme")
    programme.admins.add(user)
    return user


@pytest.fixture
def rubric(programme):
    return make_rubric(programme, title="Relational practice")


@pytest.fixture
def checkpoint(cohort, rubric):
    """A checkpoint of the test cohort due in a week."""
    return make_checkpoint(cohort, rubric, title="First portfolio")
