"""The engagement report: figures, sorting, CSV export, the SVG chart, access and query counts."""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.utils import timezone

from reflect.assessment import services as assessment_services
from reflect.assessment.models import Assessment, Submission, SubmissionStatus
from reflect.cohorts.models import Cohort, Membership, Programme, Role
from reflect.journal.models import JournalEntry, Status, Visibility
from reflect.manage import chart, reports
from tests.reflect.assessment_factories import make_checkpoint, make_rubric, make_submission, mark

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)  # a Wednesday
NY = "America/New_York"
REPORT_PAGE_QUERIES = 10
REPORT_CSV_QUERIES = 10  # including the audit log row the export writes


def url(cohort, csv_export: bool = False) -> str:
    return f"/manage/cohorts/{cohort.pk}/report{'.csv' if csv_export else '/'}"


def at(cohort, *args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=cohort.tz)


def written_at(entry, when: datetime.datetime) -> None:
    JournalEntry.objects.filter(pk=entry.pk).update(created_at=when, published_at=when)


def joined(user, cohort, when: datetime.datetime) -> None:
    Membership.objects.filter(user=user, cohort=cohort).update(joined_at=when)


def row_for(report, user) -> reports.TraineeRow:
    return next(r for r in report.rows if r.user_id == user.pk)


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def ny_cohort(programme, course_admin):
    """Starts on Monday 5 October 2026 in New York; by TODAY seven weeks have begun."""
    cohort = Cohort.objects.create(
        programme=programme,
        name="Winter",
        start_date=datetime.date(2026, 10, 5),
        end_date=datetime.date(2027, 6, 30),
        time_zone=NY,
    )
    Membership.objects.create(user=course_admin, cohort=cohort, role=Role.COURSE_ADMIN)
    return cohort


@pytest.fixture
def alice(trainee, ny_cohort):
    Membership.objects.create(user=trainee, cohort=ny_cohort, role=Role.TRAINEE)
    joined(trainee, ny_cohort, at(ny_cohort, 2026, 9, 20, 12))
    return trainee


@pytest.fixture
def bob(trainee2, ny_cohort):
    """Joined on Sunday 1 November, so his weeks start with the week of 26 October."""
    Membership.objects.create(user=trainee2, cohort=ny_cohort, role=Role.TRAINEE)
    joined(trainee2, ny_cohort, at(ny_cohort, 2026, 11, 1, 12))
    return trainee2


@pytest.fixture
def outsider(user_factory):
    """The course admin of another programme."""
    user = user_factory("olga@example.test", "Olga Otheradmin")
    elsewhere = Programme.objects.create(name="Other Diploma")
    elsewhere.admins.add(user)
    other = Cohort.objects.create(
        programme=elsewhere, name="Elsewhere", start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 7, 1)
    )
    Membership.objects.create(user=user, cohort=other, role=Role.COURSE_ADMIN)
    return user


# --- Figures ------------------------------------------------------------------------


def test_weeks_journaled_count_weeks_with_a_published_entry_in_the_cohort_time_zone(
    alice, bob, ny_cohort, cohort, make_entry
):
    written_at(make_entry(alice, ny_cohort), at(ny_cohort, 2026, 10, 6, 9))
    written_at(make_entry(alice, ny_cohort), at(ny_cohort, 2026, 10, 7, 9))  # same week: still one
    # Sunday 22:30 in New York is Monday 03:30 UTC: still the week of 12 October.
    written_at(make_entry(alice, ny_cohort), at(ny_cohort, 2026, 10, 18, 22, 30))
    written_at(make_entry(alice, ny_cohort, draft=True), at(ny_cohort, 2026, 10, 27, 9))  # drafts don't count
    trashed = make_entry(alice, ny_cohort)
    written_at(trashed, at(ny_cohort, 2026, 11, 3, 9))
    JournalEntry.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())
    written_at(make_entry(alice, cohort), at(ny_cohort, 2026, 11, 10, 9))  # another cohort
    written_at(make_entry(alice, ny_cohort), at(ny_cohort, 2026, 11, 17, 23, 30))

    report = reports.engagement(ny_cohort, today=TODAY)

    row = row_for(report, alice)
    assert (row.weeks_journaled, row.weeks_elapsed, row.weeks_label) == (3, 7, "3 of 7")
    assert [bar.week for bar in report.weeks][:3] == [
        datetime.date(2026, 10, 5),
        datetime.date(2026, 10, 12),
        datetime.date(2026, 10, 19),
    ]
    assert [bar.journaled for bar in report.weeks] == [1, 1, 0, 0, 0, 0, 1]
    assert row.last_entry == datetime.date(2026, 11, 17)  # the New York date, not UTC's 18th


def test_weeks_elapsed_start_when_a_trainee_joined_late(alice, bob, ny_cohort, make_entry):
    written_at(make_entry(bob, ny_cohort), at(ny_cohort, 2026, 10, 6, 9))  # before he joined
    written_at(make_entry(bob, ny_cohort), at(ny_cohort, 2026, 11, 3, 9))

    report = reports.engagement(ny_cohort, today=TODAY)

    assert row_for(report, bob).weeks_label == "1 of 4"
    assert [bar.trainees for bar in report.weeks] == [1, 1, 1, 2, 2, 2, 2]
    assert [bar.journaled for bar in report.weeks] == [0, 0, 0, 0, 1, 0, 0]


def test_weeks_stop_at_the_cohort_end_and_none_before_it_starts(alice, ny_cohort):
    ny_cohort.end_date = datetime.date(2026, 10, 20)
    assert row_for(reports.engagement(ny_cohort, today=TODAY), alice).weeks_elapsed == 3
    report = reports.engagement(ny_cohort, today=datetime.date(2026, 9, 30))
    assert report.weeks == [] and row_for(report, alice).weeks_label == "0 of 0"


def test_shared_count_and_last_entry_date(alice, bob, ny_cohort, make_entry):
    make_entry(alice, ny_cohort, visibility=Visibility.SHARED)
    make_entry(alice, ny_cohort, visibility=Visibility.SHARED)
    make_entry(alice, ny_cohort)
    make_entry(alice, ny_cohort, visibility=Visibility.SHARED, draft=True)
    trashed = make_entry(alice, ny_cohort, visibility=Visibility.SHARED)
    JournalEntry.objects.filter(pk=trashed.pk).update(deleted_at=timezone.now())

    report = reports.engagement(ny_cohort)

    assert row_for(report, alice).shared == 2
    assert row_for(report, alice).last_entry == timezone.localtime(timezone=ny_cohort.tz).date()
    assert (row_for(report, bob).shared, row_for(report, bob).last_entry) == (0, None)


def test_submissions_show_status_and_only_released_outcomes(alice, bob, ny_cohort, tutor, course_admin, client_for):
    Membership.objects.create(user=tutor, cohort=ny_cohort, role=Role.TUTOR)
    first = make_checkpoint(ny_cohort, title="First portfolio")
    second = make_checkpoint(ny_cohort, first.rubric, due_in_days=30, title="Second portfolio")
    released = mark(make_submission(first, alice), tutor, outcome="pass")
    assessment_services.assessment_release(assessment=released, by=tutor)
    mark(make_submission(first, bob), tutor, outcome="refer")  # complete, not released
    make_submission(second, alice, submit=False)

    report = reports.engagement(ny_cohort)

    a, b = row_for(report, alice), row_for(report, bob)
    assert [(c.status_label, c.outcome_label) for c in a.cells] == [("Submitted", "Pass"), ("Being prepared", "")]
    assert [(c.status_label, c.outcome_label) for c in b.cells] == [("Submitted", ""), ("Not started", "")]
    page = client_for(course_admin).get(url(ny_cohort)).content.decode()
    assert "Pass" in page and "Refer" not in page


def test_a_resubmission_shows_its_attempt_and_not_the_earlier_outcome(alice, ny_cohort, tutor):
    Membership.objects.create(user=tutor, cohort=ny_cohort, role=Role.TUTOR)
    checkpoint = make_checkpoint(ny_cohort)
    referred = mark(make_submission(checkpoint, alice), tutor, outcome="refer")
    assessment_services.assessment_release(assessment=referred, by=tutor)
    make_submission(checkpoint, alice)

    cell = row_for(reports.engagement(ny_cohort), alice).cells[0]

    assert (cell.status_label, cell.outcome_label) == ("Submitted (attempt 2)", "")


# --- The page: sorting and the chart ---------------------------------------------------


def test_report_sorts_by_any_column_with_aria_sort(course_admin, cohort, trainee, trainee2, client_for, make_entry):
    make_entry(trainee2, cohort, visibility=Visibility.SHARED)
    client = client_for(course_admin)

    by_name = client.get(url(cohort))
    assert [r.name for r in by_name.context["rows"]] == ["Alice Trainee", "Bob Trainee"]
    assert 'aria-sort="ascending"' in by_name.content.decode()

    by_shared = client.get(url(cohort), {"sort": "shared", "dir": "desc"})
    assert [r.name for r in by_shared.context["rows"]] == ["Bob Trainee", "Alice Trainee"]
    page = by_shared.content.decode()
    assert page.count("aria-sort=") == 1 and 'aria-sort="descending"' in page
    assert 'href="?sort=shared&amp;dir=asc"' in page  # the sorted column's link reverses it
    assert 'href="?sort=name&amp;dir=asc"' in page

    # A trainee with no entries has no last entry date: listed last either way.
    for direction in ("asc", "desc"):
        rows = client.get(url(cohort), {"sort": "last", "dir": direction}).context["rows"]
        assert [r.name for r in rows] == ["Bob Trainee", "Alice Trainee"]

    assert client.get(url(cohort), {"sort": "title"}).context["headers"][0]["aria_sort"] == "ascending"


def test_sorting_by_weeks_status_and_outcome():
    def row(name, journaled, elapsed, status=None, outcome=""):
        cell = reports.CheckpointCell(status=status, attempt=1 if status else 0, outcome=outcome)
        return reports.TraineeRow(
            user_id=len(name),
            name=name,
            email="",
            weeks_journaled=journaled,
            weeks_elapsed=elapsed,
            checkpoints={7: cell},
        )

    rows = [
        row("Ann", 2, 4, SubmissionStatus.SUBMITTED, "refer"),
        row("Ben", 4, 4, SubmissionStatus.DRAFT),
        row("Cy", 1, 4),
        row("Di", 0, 0, SubmissionStatus.SUBMITTED, "pass"),
    ]

    def names(key, desc=False):
        return [r.name for r in reports.sort_rows(rows, key, descending=desc)]

    assert names("weeks") == ["Cy", "Ann", "Ben", "Di"]
    assert names("weeks", desc=True) == ["Ben", "Ann", "Cy", "Di"]
    assert names("sub-7") == ["Cy", "Ben", "Ann", "Di"]
    assert names("out-7", desc=True) == ["Di", "Ann", "Ben", "Cy"]


def test_report_draws_an_accessible_svg_chart_described_once(course_admin, cohort, trainee, client_for, make_entry):
    make_entry(trainee, cohort)
    page = client_for(course_admin).get(url(cohort)).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="weekly-chart-title"' in svg
    assert '<title id="weekly-chart-title">Weekly journaling in Autumn</title>' in svg
    assert "<rect" in svg and "1 of 1 trainees journaled (100%)" in svg
    # The description is said once, as the figure's visible caption, not again from a <desc>.
    assert "<desc" not in svg and page.count("Share of trainees who published") == 1
    caption = page[page.index("<figcaption") : page.index("</figcaption>")]
    assert "Share of trainees who published at least one entry" in caption
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "The chart's figures as a table" in page and '<th scope="col">Week of</th>' in page


@pytest.mark.parametrize("count", [1, 11, 20, 52])
def test_chart_fills_its_container_and_week_labels_do_not_overlap(count):
    start = datetime.date(2026, 9, 7)
    bars = [reports.WeekBar(start + datetime.timedelta(weeks=n), n % 3, 2) for n in range(count)]
    svg = chart.weekly_chart(bars, chart_id="c", title="Weekly journaling")
    view_width = int(re.search(r'viewBox="0 0 (\d+) \d+" width="100%"', svg)[1])
    font = min(int(size) for size in re.findall(r'font-size="(\d+)"', svg))
    assert font * 358 / view_width >= 11  # text of 11px or more across a 390px phone
    labels = re.findall(r'<text x="([\d.]+)"[^>]*class="week-label">([^<]+)</text>', svg)
    xs = [float(x) for x, _ in labels]
    assert all(b - a >= 4 * font for a, b in itertools.pairwise(xs))  # room for "30 Nov"
    assert labels[-1][1] == f"{bars[-1].week.day} {bars[-1].week:%b}"  # the latest week is named
    assert svg.count("<rect") == count
    assert len(labels) == 1 if count == 1 else len(labels) < count


def test_report_before_the_cohort_starts_says_so(course_admin, cohort, trainee, client_for):
    Cohort.objects.filter(pk=cohort.pk).update(start_date=datetime.date(2027, 1, 4))
    response = client_for(course_admin).get(url(cohort))
    assert response.status_code == 200 and "<svg" not in response.content.decode()
    assert "No weeks have passed since the cohort started." in response.content.decode()


def test_report_has_breadcrumbs_tabs_heading_then_column_help_above_a_sticky_header(
    course_admin, cohort, trainee, client_for
):
    page = client_for(course_admin).get(url(cohort)).content.decode()
    start = page.index('<nav aria-label="breadcrumb">')
    crumbs = page[start : page.index("</nav>", start)]
    assert 'aria-current="page">Engagement report</li>' in crumbs and f"/manage/cohorts/{cohort.pk}/" in crumbs
    assert start < page.index('aria-label="Cohort administration"') < page.index("<h1")
    help_at = page.index("weeks with at least one published entry")
    assert help_at < page.index('<table class="table table-sm align-middle" id="engagement-table"')
    assert 'aria-describedby="engagement-help"' in page and '<thead class="sticky-top">' in page
    assert "</tbody>\n</table>" in page  # nothing (no caption) after the rows


def test_trainees_behind_are_marked_in_words_not_only_colour(
    course_admin, cohort, trainee, trainee2, client_for, make_entry
):
    joined(trainee2, cohort, timezone.now())  # joined this week and journaled: up to date
    make_entry(trainee2, cohort)
    page = client_for(course_admin).get(url(cohort)).content.decode()
    rows = {name: page[page.index(name) : page.index("</tr>", page.index(name))] for name in ("Alice", "Bob")}
    assert re.search(r"0 of \d+ <span[^>]*>\(behind\)</span>", rows["Alice"])
    assert "1 of 1" in rows["Bob"] and "behind" not in rows["Bob"]


def test_a_cohort_without_trainees_says_so_instead_of_an_empty_table(course_admin, cohort, client_for):
    page = client_for(course_admin).get(url(cohort)).content.decode()
    assert "No trainees in this cohort yet" in page and f"/manage/cohorts/{cohort.pk}/members/" in page
    assert "<svg" not in page and "<table" not in page and "Download" not in page


def test_the_table_is_paged_keeping_the_sort_while_the_csv_has_everyone(
    cohort, course_admin, tutor, user_factory, client_for
):
    fill_cohort(cohort, user_factory, tutor, 150)
    client = client_for(course_admin)
    first = client.get(url(cohort), {"sort": "name", "dir": "desc"})
    assert [r.name for r in first.context["rows"]][::99] == ["Trainee 149", "Trainee 050"]
    assert 'href="?sort=name&amp;dir=desc&amp;page=2">Next</a>' in first.content.decode()

    second = client.get(url(cohort), {"sort": "name", "dir": "desc", "page": 2})
    page = second.content.decode()
    assert [r.name for r in second.context["rows"]] == [f"Trainee {n:03}" for n in range(49, -1, -1)]
    assert 'href="?sort=name&amp;dir=desc&amp;page=1">Previous</a>' in page and "Page 2 of 2" in page
    assert "Trainees 101 to 150 of 150, sorted by Trainee, descending" in page
    assert 'aria-sort="descending"' in page and "Trainee 149" not in page

    lines = read_csv(client.get(url(cohort, csv_export=True), {"sort": "name", "dir": "desc"}))
    assert [line[0] for line in lines[1:]] == [f"Trainee {n:03}" for n in range(149, -1, -1)]


# --- CSV ------------------------------------------------------------------------------


def test_csv_has_the_same_figures_with_bom_and_attachment(course_admin, cohort, trainee, trainee2, client_for, tutor):
    checkpoint = make_checkpoint(cohort, title="First portfolio")
    assessment_services.assessment_release(assessment=mark(make_submission(checkpoint, trainee), tutor), by=tutor)
    response = client_for(course_admin).get(url(cohort, csv_export=True), {"sort": "name", "dir": "desc"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="autumn-engagement.csv"'
    lines = read_csv(response)
    header = "Trainee,Email,Weeks journaled,Weeks elapsed,Entries shared,Last entry,First portfolio: submission"
    assert lines[0] == [*header.split(","), "First portfolio: outcome"]
    elapsed = str(row_for(reports.engagement(cohort), trainee).weeks_elapsed)
    today = timezone.localtime(timezone=cohort.tz).date().isoformat()
    assert lines[1] == ["Bob Trainee", "bob@example.test", "0", elapsed, "0", "", "Not started", ""]
    alice = ["Alice Trainee", "alice@example.test", "1", elapsed, "1", today, "Submitted", "Pass"]
    assert lines[2] == alice  # submitting shares


def test_csv_neutralises_spreadsheet_formulas(course_admin, cohort, user_factory, client_for):
    names = ['=HYPERLINK("http://evil.test")', "+441234", "-2+3", "@SUM(A1)", "Plain Name"]
    for n, name in enumerate(names):
        Membership.objects.create(user=user_factory(f"f{n}@example.test", name), cohort=cohort, role=Role.TRAINEE)
    make_checkpoint(cohort, title="=cmd|' /C calc'!A0")

    lines = read_csv(client_for(course_admin).get(url(cohort, csv_export=True)))

    assert lines[0][-1] == "'=cmd|' /C calc'!A0: outcome"
    assert sorted(line[0] for line in lines[1:]) == sorted(
        ['\'=HYPERLINK("http://evil.test")', "'+441234", "'-2+3", "'@SUM(A1)", "Plain Name"]
    )
    assert reports.spreadsheet_safe("\tx") == "'\tx" and reports.spreadsheet_safe(3) == "3"


def test_csv_filename_falls_back_when_the_name_has_no_letters(course_admin, cohort, client_for):
    Cohort.objects.filter(pk=cohort.pk).update(name="★★★")
    response = client_for(course_admin).get(url(cohort, csv_export=True))
    assert response["Content-Disposition"] == f'attachment; filename="cohort-{cohort.pk}-engagement.csv"'


# --- Access -----------------------------------------------------------------------------


@pytest.mark.parametrize("csv_export", [False, True])
def test_only_admins_of_the_programme_see_the_report(
    csv_export, cohort, course_admin, tutor, trainee, outsider, client_for
):
    assert client_for(course_admin).get(url(cohort, csv_export)).status_code == 200
    for person in (outsider, tutor, trainee):
        assert client_for(person).get(url(cohort, csv_export)).status_code == 404
    response = client_for(None).get(url(cohort, csv_export))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(course_admin).post(url(cohort, csv_export)).status_code == 405


def test_a_named_programme_admin_sees_reports_of_archived_cohorts_too(cohort, programme, user_factory, client_for):
    head = user_factory("hana@example.test", "Hana Head")
    programme.admins.add(head)
    Cohort.objects.filter(pk=cohort.pk).update(archived_at=timezone.now())
    response = client_for(head).get(url(cohort))
    assert response.status_code == 200 and "was archived" in response.content.decode()


# --- Query counts -------------------------------------------------------------------------


def fill_cohort(cohort, user_factory, tutor, size: int) -> None:
    """`size` trainees who each wrote a shared and a private entry in different weeks, submitted a
    portfolio and, for half of them, had an outcome released."""
    users = [user_factory(f"t{n}@example.test", f"Trainee {n:03}") for n in range(size)]
    Membership.objects.bulk_create(Membership(user=u, cohort=cohort, role=Role.TRAINEE) for u in users)
    now = timezone.now()
    JournalEntry.objects.bulk_create(
        JournalEntry(
            author=u,
            cohort=cohort,
            title="t",
            status=Status.PUBLISHED,
            visibility=Visibility.SHARED if k == 0 else Visibility.PRIVATE,
            created_at=now - datetime.timedelta(weeks=k + n % 3),
            published_at=now,
        )
        for n, u in enumerate(users)
        for k in range(2)
    )
    rubric = make_rubric(cohort.programme)
    checkpoints = [make_checkpoint(cohort, rubric, title=f"Portfolio {k}") for k in range(2)]
    submissions = Submission.objects.bulk_create(
        Submission(checkpoint=checkpoints[0], trainee=u, status=SubmissionStatus.SUBMITTED, submitted_at=now)
        for u in users
    )
    Assessment.objects.bulk_create(
        Assessment(submission=s, assessor=tutor, rubric=rubric, outcome="pass", completed_at=now, released_at=now)
        for s in submissions[::2]
    )


@pytest.mark.parametrize("size", [10, 200])
def test_report_query_count_does_not_grow_with_the_cohort(
    size, cohort, course_admin, tutor, user_factory, client_for, django_assert_num_queries
):
    fill_cohort(cohort, user_factory, tutor, size)
    client = client_for(course_admin)
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(url(cohort), {"sort": "weeks", "dir": "desc"})
    assert response.status_code == 200 and len(response.context["rows"]) == min(size, 100)
    with django_assert_num_queries(REPORT_PAGE_QUERIES):
        response = client.get(url(cohort), {"sort": "weeks", "dir": "desc", "page": 2})
    assert len(response.context["rows"]) == (size - 100 if size > 100 else size)
    with django_assert_num_queries(REPORT_CSV_QUERIES):
        response = client.get(url(cohort, csv_export=True))
    assert len(read_csv(response)) == size + 1


def test_the_report_states_its_week_rule_and_its_headers_may_wrap(course_admin, trainee, cohort, client_for):
    from django.urls import reverse

    page = client_for(course_admin).get(reverse("reflect:manage-report", kwargs={"pk": cohort.pk})).content.decode()
    assert "the same rule as the tutors' cohort page" in page
    # Headers wrap (a long checkpoint title must not push the table past a laptop's width).
    assert 'class="link-body-emphasis text-nowrap"' not in page
