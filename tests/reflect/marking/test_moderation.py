"""Moderation starts from both markings and releases only what the moderator agrees.

The break this reproduces: the agreed marking started empty, so a marker's criterion
comment never reached the trainee. Now the moderator's form shows both markers'
levels and comments per criterion, starts from them (the shared level; both
comments, labelled), and "Use first/second marker's" puts one marking in, without
JavaScript. The trainee reads the agreed marking and nothing else of the markers'."""

from types import SimpleNamespace

import pytest

from reflect.assessment import services
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Assessment, MarkingRole
from tests.reflect.assessment_factories import add_tutor, allocate, full_levels, mark

pytestmark = pytest.mark.django_db

MARKER_TEXT = ["qzFirstC1", "qzSecondC1", "qzSecondC2", "qzFirstC3", "qzSecondC3", "qzFirstOverall", "qzSecondOverall"]


@pytest.fixture
def marked(submission, tutor, tutor2, moderator):
    """Both markings complete. They agree on criteria 1 and 2 and differ on 3; the first
    marker commented on 1 and 3, the second on all three."""
    rubric = submission.checkpoint.rubric
    c1, c2, c3 = rubric.criteria.values_list("pk", flat=True)
    two, one = full_levels(rubric, 2), full_levels(rubric, 1)
    first = mark(submission, tutor, levels=two, feedback="qzFirstOverall", comments={c1: "qzFirstC1", c3: "qzFirstC3"})
    allocate(submission, by=tutor, second=tutor2, moderator=moderator)
    second = mark(
        submission,
        tutor2,
        levels={**two, c3: one[c3]},
        feedback="qzSecondOverall",
        comments={c1: "qzSecondC1", c2: "qzSecondC2", c3: "qzSecondC3"},
    )
    url = f"/submissions/{submission.pk}/moderate/"
    return SimpleNamespace(first=first, second=second, c=(c1, c2, c3), two=two, one=one, url=url)


def rows_of(response) -> dict:
    return {row["criterion"].pk: row for row in response.context["rows"]}


def form_data(response, **changes) -> dict:
    """What the browser would post back: the form exactly as the page shows it, plus `changes`."""
    data = {}
    for pk, row in rows_of(response).items():
        if row["chosen"]:
            data[f"level-{pk}"] = row["chosen"].pk
        data[f"comment-{pk}"] = row["comment"] or ""
    form = response.context["form"]
    data.update(overall_feedback=form["overall_feedback"].value() or "", outcome=form["outcome"].value() or "")
    return {**data, **changes}


def both(a: str, b: str) -> str:
    return f"[First marker]\n{a}\n\n[Second marker]\n{b}"


def test_the_moderators_form_shows_both_markers_comments_and_starts_from_them(marked, moderator, client_for):
    response = client_for(moderator).get(marked.url)
    page = response.content.decode()
    assert response.status_code == 200
    for text in MARKER_TEXT:
        assert text in page
    c1, c2, c3 = marked.c
    rows = rows_of(response)
    # The shared level where both markers chose it; the differing criterion is the moderator's to decide.
    assert rows[c1]["chosen"].pk == marked.two[c1] and rows[c2]["chosen"].pk == marked.two[c2]
    assert rows[c3]["chosen"] is None
    assert [m["score"].level_id for m in rows[c3]["markers"]] == [marked.two[c3], marked.one[c3]]
    # Comments: both, labelled, where both wrote one; the one comment as it is otherwise.
    assert rows[c1]["comment"] == both("qzFirstC1", "qzSecondC1")
    assert rows[c2]["comment"] == "qzSecondC2"
    assert response.context["form"]["overall_feedback"].value() == both("qzFirstOverall", "qzSecondOverall")
    for key in ("first", "second"):
        assert f'name="use" value="{key}:{c3}"' in page and f'name="use" value="{key}:overall"' in page
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()  # looking saves nothing


def test_agreeing_with_the_second_markers_comment_releases_that_comment_to_the_trainee(
    marked, submission, trainee, moderator, client_for
):
    client = client_for(moderator)
    c1, c2, c3 = marked.c
    # "Use second marker's" without JavaScript: the form comes back with it put in, unsaved.
    response = client.post(marked.url, form_data(client.get(marked.url), use=f"second:{c3}"))
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows[c3]["chosen"].pk == marked.one[c3] and rows[c3]["comment"] == "qzSecondC3"
    assert "second marker" in rows[c3]["note"]
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()
    response = client.post(marked.url, form_data(response, use="first:overall"))
    assert response.context["form"]["overall_feedback"].value() == "qzFirstOverall"
    assert rows_of(response)[c3]["comment"] == "qzSecondC3"  # the earlier choice is kept

    data = form_data(response, action="release", **{f"comment-{c1}": "Agreed: you notice the quiet."})
    response = client.post(marked.url, data)
    agreed = Assessment.objects.get(role=MarkingRole.AGREED)
    assert response["Location"] == f"/assessments/{agreed.pk}/release/"
    client.post(f"/assessments/{agreed.pk}/release/")

    page = client_for(trainee).get(f"/submissions/{submission.pk}/feedback/").content.decode()
    for agreed_text in ("qzSecondC3", "qzSecondC2", "Agreed: you notice the quiet.", "qzFirstOverall"):
        assert agreed_text in page
    for unagreed in ("qzFirstC3", "qzFirstC1", "qzSecondC1", "qzSecondOverall", "[First marker]", "[Second marker]"):
        assert unagreed not in page


def test_the_trainee_never_sees_unagreed_marker_text(marked, submission, trainee, moderator, client_for):
    client = client_for(trainee)
    pages = [
        f"/submissions/{submission.pk}/",
        f"/submissions/{submission.pk}/feedback/",
        f"/submissions/{submission.pk}/moderate/",
        f"/assessments/{marked.first.pk}/",
        f"/assessments/{marked.second.pk}/",
        f"/checkpoints/{submission.checkpoint_id}/",
        "/notifications/",
    ]

    def everything_the_trainee_reads() -> str:
        return "".join(client.get(url, follow=True).content.decode() for url in pages)

    assert not any(text in everything_the_trainee_reads() for text in MARKER_TEXT)
    agreed = services.moderation_start(submission=submission, moderator=moderator)  # starts from both
    assert not any(text in everything_the_trainee_reads() for text in MARKER_TEXT)
    services.assessment_save(
        assessment=agreed,
        by=moderator,
        levels=marked.two,
        comments={marked.c[1]: "qzSecondC2"},
        overall_feedback="The agreed words.",
        outcome="pass",
        complete=True,
    )
    services.assessment_release(assessment=agreed, by=moderator)
    read = everything_the_trainee_reads()
    assert "The agreed words." in read and "qzSecondC2" in read
    assert not any(text in read for text in MARKER_TEXT if text != "qzSecondC2")


def test_an_outsider_gets_404_on_the_moderation_form(
    marked, tutor, tutor2, trainee2, other_tutor, course_admin, cohort, user_factory, client_for
):
    bystander = add_tutor(user_factory, cohort, "hana@example.test", "Hana Tutor")  # reads the trainee, not allocated
    for outsider in (tutor, tutor2, bystander, trainee2, other_tutor, course_admin):
        client = client_for(outsider)
        for response in (
            client.get(marked.url),
            client.post(marked.url, {"use": f"second:{marked.c[2]}"}),
            client.post(marked.url, {"action": "save", "overall_feedback": "x"}),
        ):
            assert response.status_code == 404, outsider
            assert not any(text in response.content.decode() for text in MARKER_TEXT)
    assert not Assessment.objects.filter(role=MarkingRole.AGREED).exists()


def test_an_agreed_marking_still_in_both_markers_words_cannot_be_completed(marked, submission, moderator, client_for):
    client = client_for(moderator)
    c1, c2, c3 = marked.c
    data = form_data(client.get(marked.url), action="complete", **{f"level-{c3}": marked.one[c3]})
    response = client.post(marked.url, data)
    assert response.status_code == 400
    error = response.content.decode()
    assert "Still in both markers" in error and "Criterion 1" in error and "Overall feedback" in error
    assert "Criterion 2" not in error.split("Still in both markers")[1].split("</p>")[0]  # one comment, no labels
    assert not Assessment.objects.filter(role=MarkingRole.AGREED, completed_at__isnull=False).exists()

    data.update({f"comment-{c1}": "One voice.", f"comment-{c3}": "qzSecondC3", "overall_feedback": "All agreed."})
    assert client.post(marked.url, data).status_code == 302
    assert Assessment.objects.get(role=MarkingRole.AGREED).is_complete

    with pytest.raises(AssessmentError, match="Still in both markers"):
        services.assessment_save(
            assessment=Assessment.objects.get(role=MarkingRole.AGREED),
            by=moderator,
            levels=marked.two,
            comments={},
            overall_feedback=both("a", "b"),
            outcome="pass",
            complete=True,
        )


def test_a_draft_keeps_an_undecided_criterions_starting_comment_without_asking_for_a_level(
    marked, moderator, client_for
):
    client = client_for(moderator)
    c1, c2, c3 = marked.c
    response = client.post(marked.url, form_data(client.get(marked.url), action="save"))
    assert response.status_code == 302
    agreed = Assessment.objects.get(role=MarkingRole.AGREED)
    assert set(agreed.scores.values_list("criterion_id", flat=True)) == {c1, c2}
    rows = rows_of(client.get(marked.url))
    assert rows[c3]["chosen"] is None and rows[c3]["comment"] == both("qzFirstC3", "qzSecondC3")
    # An edited comment without a level would be lost, so that still asks for one.
    data = form_data(client.get(marked.url), action="save", **{f"comment-{c3}": "My own words"})
    response = client.post(marked.url, data)
    assert response.status_code == 400 and "so its comment can be saved" in response.content.decode()


def test_moderation_start_begins_from_both_markings(marked, submission, moderator):
    c1, c2, c3 = marked.c
    agreed = services.moderation_start(submission=submission, moderator=moderator)
    scores = {s.criterion_id: (s.level_id, s.comment) for s in agreed.scores.all()}
    assert scores == {c1: (marked.two[c1], both("qzFirstC1", "qzSecondC1")), c2: (marked.two[c2], "qzSecondC2")}
    assert agreed.overall_feedback == both("qzFirstOverall", "qzSecondOverall") and agreed.outcome == "pass"
    assert not agreed.is_complete


def test_after_release_the_moderator_reads_both_markings_and_the_agreed_one(marked, submission, moderator, client_for):
    agreed = services.moderation_start(submission=submission, moderator=moderator)
    services.assessment_save(
        assessment=agreed,
        by=moderator,
        levels=marked.two,
        comments={marked.c[2]: "qzAgreedC3"},
        overall_feedback="qzAgreedOverall",
        outcome="pass",
        complete=True,
    )
    services.assessment_release(assessment=agreed, by=moderator)
    page = client_for(moderator).get(marked.url).content.decode()
    assert "was released on" in page and 'name="use"' not in page and "<textarea" not in page
    for text in [*MARKER_TEXT, "qzAgreedC3", "qzAgreedOverall"]:
        assert text in page
