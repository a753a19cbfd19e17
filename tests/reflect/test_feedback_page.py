"""The released feedback page reads well on a phone: the outcome, the overall feedback
and Acknowledge come first; the criteria follow, each folded into a <details>, so the
rubric's level descriptors no longer push the outcome 8,000 px down."""

import re

import pytest

from reflect.assessment import services
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission, mark

pytestmark = pytest.mark.django_db


def test_outcome_overall_feedback_and_acknowledge_come_before_the_folded_criteria(
    trainee, tutor, cohort, programme, client_for
):
    checkpoint = make_checkpoint(cohort, make_rubric(programme, criteria=4, levels=7))
    submission = make_submission(checkpoint, trainee)
    criteria = list(checkpoint.rubric.criteria.all())
    marking = mark(submission, tutor, feedback="qzOverall", comments={criteria[2].pk: "qzThirdComment"})
    services.assessment_release(assessment=marking, by=tutor)

    page = client_for(trainee).get(f"/submissions/{submission.pk}/feedback/").content.decode()
    order = [page.index(s) for s in ('id="outcome-heading"', "qzOverall", ">Acknowledge</button>", "<details")]
    assert order == sorted(order)
    folded = re.findall(r'<details class="criterion-feedback[^"]*"[^>]*>', page)
    assert len(folded) == 4 and not any(" open" in tag for tag in folded)  # short until opened
    # A criterion's summary names its level and says whether there is a comment; the comment is inside.
    summary, body = folded_criterion(page, criteria[2].pk)
    assert "Criterion 3" in summary and "Competent" in summary and "Comment" in summary
    assert "qzThirdComment" in body
    assert "Comment" not in folded_criterion(page, criteria[0].pk)[0]


def folded_criterion(page: str, pk: int) -> tuple[str, str]:
    """The summary line and the folded body of one criterion's <details>."""
    details = page.split(f'id="feedback-criterion-{pk}"')[1].split("</details>")[0]
    summary, body = details.split("</summary>")
    return summary, body
