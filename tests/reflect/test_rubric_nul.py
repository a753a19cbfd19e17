"""A NUL character (U+0000, which PostgreSQL can't store) in a rubric, whether
imported as JSON or typed into the builder, is refused with a clear message
instead of a server error. Run with a PostgreSQL DATABASE_URL."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reflect.assessment import rubrics
from reflect.assessment.errors import AssessmentError
from reflect.assessment.models import Criterion, Rubric
from tests.reflect.test_rubrics import make_rubric, rubric_data

pytestmark = pytest.mark.django_db

IMPORT = "/rubrics/import/"


def with_nul_in_a_descriptor() -> str:
    data = rubric_data(title="Imported with a null")
    data["criteria"][1]["levels"][2]["descriptor"] = "Attuned\u0000 and present"
    text = json.dumps(data)
    assert "\\u0000" in text  # the JSON spells it as an escape, as an exporting program would
    return text


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def test_it_refuses_pasted_json_with_an_escaped_nul(course_admin, programme, client_for):
    response = client_for(course_admin).post(IMPORT, {"programme": programme.pk, "text": with_nul_in_a_descriptor()})

    assert response.status_code == 400
    assert "Criterion 2, level 3: “descriptor” contains an invisible “null” character" in page_text(response)
    assert not Rubric.objects.exists()


def test_it_refuses_an_uploaded_file_with_an_escaped_nul_in_the_title(course_admin, programme, client_for):
    data = rubric_data(title="Our\u0000 rubric")
    upload = SimpleUploadedFile("rubric.json", json.dumps(data).encode(), content_type="application/json")

    response = client_for(course_admin).post(IMPORT, {"programme": programme.pk, "file": upload})

    assert response.status_code == 400
    assert "The rubric: “title” contains an invisible “null” character" in page_text(response)
    assert not Rubric.objects.exists()


def test_it_refuses_a_literal_nul_in_the_pasted_text_in_plain_words(course_admin, programme, client_for):
    text = json.dumps(rubric_data()).replace("Test rubric", "Test\x00rubric")

    response = client_for(course_admin).post(IMPORT, {"programme": programme.pk, "text": text})

    assert response.status_code == 400
    assert "The pasted JSON contains an invisible “null” character" in page_text(response)
    assert not Rubric.objects.exists()


def test_it_refuses_a_nul_typed_into_the_builder(course_admin, programme, client_for):
    rubric = make_rubric(programme, criteria=1)

    response = client_for(course_admin).post(
        reverse("reflect:rubric-criterion-add", args=[rubric.pk]), {"title": "Pres\x00ence"}
    )

    assert response.status_code == 400
    assert "“Title” contains an invisible “null” character" in page_text(response)
    assert rubric.criteria.count() == 1


def test_the_services_refuse_a_nul_too(programme):
    rubric = make_rubric(programme, criteria=1)

    with pytest.raises(AssessmentError, match="null"):
        rubrics.criterion_add(rubric=rubric, title="Pres\x00ence")
    with pytest.raises(rubrics.RubricFormatError, match="null"):
        rubrics.rubric_import(programme=programme, data=with_nul_in_a_descriptor())
    assert Criterion.objects.filter(rubric=rubric).count() == 1
