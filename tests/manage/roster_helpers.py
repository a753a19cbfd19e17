"""Helpers for the roster import tests: building CSV files and driving the pages."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reflect.manage.models import CohortInvitation

HEADER = "email,first name,last name,role,tutor email\r\n"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\r\n" for line in lines)).encode()


def upload(client, cohort, data: bytes, name: str = "roster.csv"):
    url = reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def preview_key(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response.url.rstrip("/").rsplit("/", 1)[-1]


def apply(client, cohort, key, **kwargs):
    return client.post(reverse("reflect:manage-roster-apply", kwargs={"pk": cohort.pk, "key": key}), **kwargs)


def result_url(cohort, key) -> str:
    return reverse("reflect:manage-roster-result", kwargs={"pk": cohort.pk, "key": key})


def import_file(client, cohort, data: bytes):
    """Upload, apply, and follow the redirect to the result page."""
    return apply(client, cohort, preview_key(upload(client, cohort, data)), follow=True)


def nothing_written():
    assert not CohortInvitation.objects.exists()
    assert mail.outbox == []
