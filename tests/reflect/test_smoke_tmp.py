import pytest
pytestmark = pytest.mark.django_db

def test_pages(trainee, tutor, course_admin, cohort, client_for, make_entry):
    e = make_entry(trainee, cohort, visibility="shared", tags=["x"])
    c = client_for(trainee)
    for url in ["/", "/journal/", "/journal/new/", f"/journal/{e.pk}/", f"/journal/{e.pk}/edit/", f"/journal/{e.pk}/history/", "/journal/trash/", f"/journal/{e.pk}/delete/"]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
    r = client_for(tutor).get(f"/cohorts/{cohort.pk}/"); assert r.status_code == 200
    assert e.title in r.content.decode()
    r = client_for(course_admin).get(f"/cohorts/{cohort.pk}/"); assert r.status_code == 200
    assert e.title not in r.content.decode()
    r = client_for(tutor).get("/"); assert r.status_code == 200
    r = c.post("/journal/new/", {"title": "T", "body": "B", "kind": "general", "template": "free", "visibility": "private", "cohort": cohort.pk, "action": "publish"})
    assert r.status_code == 302, r.content.decode()[:3000]
    r = c.post("/journal/autosave/", {"title": "", "body": "B", "kind": "general", "template": "gibbs", "gibbs_description": "desc", "visibility": "private", "cohort": cohort.pk})
    assert r.status_code == 200, r.content
    r = c.post("/journal/preview/", {"body": "**hi**", "template": "free"})
    assert b"<strong>hi</strong>" in r.content
    r = client_for(None).get("/accounts/login/"); assert r.status_code == 200
    r = client_for(None).get("/journal/"); assert r.status_code == 302
