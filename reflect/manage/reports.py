"""The engagement report of a cohort: counts, dates, statuses and released outcomes only.

Every figure is computed in a fixed number of queries whatever the cohort's size, and
no query here selects a title, text, check-in note, comment, summary or feedback: the
querysets ask for ids, dates, statuses and outcomes through values(), so nothing
private is ever loaded into memory, let alone rendered.

Weeks run Monday to Sunday in the cohort's time zone. An entry belongs to the week it
was written in (its created_at), as on the cohort dashboard, and counts once published.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from reflect.access import trainees_of
from reflect.assessment.models import Assessment, Checkpoint, Outcome, Submission, SubmissionStatus
from reflect.cohorts.models import Cohort
from reflect.cohorts.weeks import first_counted_week, week_starts_between
from reflect.journal.models import JournalEntry, Status, Visibility

NOT_STARTED = "Not started"
# How far along a submission is, for sorting: not started first, submitted last.
STATUS_RANK = {None: 0, SubmissionStatus.DRAFT: 1, SubmissionStatus.WITHDRAWN: 2, SubmissionStatus.SUBMITTED: 3}
OUTCOME_RANK = {Outcome.FAIL: 0, Outcome.REFER: 1, Outcome.PASS: 2}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class CheckpointCell:
    status: str | None = None  # a SubmissionStatus value of the latest attempt; None if not started
    attempt: int = 0
    is_late: bool = False
    outcome: str = ""  # the released outcome of the latest attempt; "" until released

    @property
    def status_label(self) -> str:
        if self.status is None:
            return NOT_STARTED
        label = SubmissionStatus(self.status).label
        if self.status == SubmissionStatus.SUBMITTED and self.is_late:
            label += " late"
        return f"{label} (attempt {self.attempt})" if self.attempt > 1 else label

    @property
    def outcome_label(self) -> str:
        return Outcome(self.outcome).label if self.outcome else ""


@dataclass
class TraineeRow:
    user_id: int
    name: str
    email: str
    weeks_journaled: int = 0
    weeks_elapsed: int = 0
    shared: int = 0
    last_entry: datetime.date | None = None
    checkpoints: dict[int, CheckpointCell] = field(default_factory=dict)

    @property
    def weeks_label(self) -> str:
        return f"{self.weeks_journaled} of {self.weeks_elapsed}"

    @property
    def is_behind(self) -> bool:
        """Missed at least one week since they started: marked in words on the page, not by colour alone."""
        return self.weeks_journaled < self.weeks_elapsed

    @property
    def cells(self) -> list[CheckpointCell]:
        return list(self.checkpoints.values())


@dataclass(frozen=True)
class WeekBar:
    week: datetime.date  # the Monday
    journaled: int  # trainees who published at least one entry that week
    trainees: int  # trainees in the cohort that week

    @property
    def share(self) -> float:
        return self.journaled / self.trainees if self.trainees else 0.0

    @property
    def percent(self) -> int:
        return round(self.share * 100)


@dataclass
class Report:
    cohort: Cohort
    today: datetime.date
    checkpoints: list[dict]  # {"id", "title"}
    rows: list[TraineeRow]
    weeks: list[WeekBar]

    @property
    def columns(self) -> list[Column]:
        columns = [
            Column("name", "Trainee"),
            Column("weeks", "Weeks journaled"),
            Column("shared", "Entries shared"),
            Column("last", "Last entry"),
        ]
        for checkpoint in self.checkpoints:
            columns.append(Column(f"sub-{checkpoint['id']}", f"{checkpoint['title']}: submission"))
            columns.append(Column(f"out-{checkpoint['id']}", f"{checkpoint['title']}: outcome"))
        return columns


def _local_date(value: datetime.datetime | datetime.date, cohort: Cohort) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, cohort.tz).date() if timezone.is_aware(value) else value.date()
    return value


def engagement(cohort: Cohort, *, today: datetime.date | None = None) -> Report:
    """Each trainee's figures, and the cohort's weekly journaling since it started, up to
    today or the cohort's end, in seven queries."""
    today = today or timezone.localtime(timezone=cohort.tz).date()
    last_day = min(today, cohort.end_date)
    members = list(
        trainees_of(cohort)
        .order_by("user__display_name", "user__email")
        .values("user_id", "user__display_name", "user__email", "joined_at")
    )
    checkpoints = list(Checkpoint.objects.filter(cohort=cohort).order_by("due_at", "id").values("id", "title"))
    rows, first_week = {}, {}
    for m in members:
        rows[m["user_id"]] = TraineeRow(
            user_id=m["user_id"],
            name=m["user__display_name"] or m["user__email"],
            email=m["user__email"],
            checkpoints={c["id"]: CheckpointCell() for c in checkpoints},
        )
        first_week[m["user_id"]] = first_counted_week(cohort.start_date, m["joined_at"], cohort.tz)

    weeks = week_starts_between(cohort.start_date, last_day)
    journaled = _weeks_with_entries(cohort, weeks)
    for user_id, row in rows.items():
        mine = [w for w in weeks if w >= first_week[user_id]]
        row.weeks_elapsed = len(mine)
        row.weeks_journaled = sum(1 for w in mine if (user_id, w) in journaled)
    bars = [
        WeekBar(
            week=w,
            journaled=sum(1 for pk in rows if first_week[pk] <= w and (pk, w) in journaled),
            trainees=sum(1 for pk in rows if first_week[pk] <= w),
        )
        for w in weeks
    ]
    _add_entry_figures(cohort, rows)
    _add_submissions(cohort, rows)
    return Report(cohort=cohort, today=today, checkpoints=checkpoints, rows=list(rows.values()), weeks=bars)


def _trainee_entries(cohort: Cohort):
    trainees = trainees_of(cohort).values("user_id")
    return JournalEntry.objects.alive().filter(cohort=cohort, status=Status.PUBLISHED, author__in=trainees)


def _weeks_with_entries(cohort: Cohort, weeks: list[datetime.date]) -> set[tuple[int, datetime.date]]:
    """(trainee id, Monday) for every week in `weeks` in which the trainee published an entry."""
    if not weeks:
        return set()
    start = datetime.datetime.combine(weeks[0], datetime.time.min, tzinfo=cohort.tz)
    end = datetime.datetime.combine(weeks[-1] + datetime.timedelta(weeks=1), datetime.time.min, tzinfo=cohort.tz)
    rows = (
        _trainee_entries(cohort)
        .filter(created_at__gte=start, created_at__lt=end)
        .annotate(week=TruncWeek("created_at", tzinfo=cohort.tz))
        .values("author_id", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["author_id"], _local_date(row["week"], cohort)) for row in rows}


def _add_entry_figures(cohort: Cohort, rows: dict[int, TraineeRow]) -> None:
    figures = (
        _trainee_entries(cohort)
        .values("author_id")
        .annotate(shared=Count("id", filter=Q(visibility=Visibility.SHARED)), last=Max("created_at"))
        .order_by()
    )
    for figure in figures:
        row = rows.get(figure["author_id"])
        if row:
            row.shared = figure["shared"]
            row.last_entry = _local_date(figure["last"], cohort) if figure["last"] else None


def _add_submissions(cohort: Cohort, rows: dict[int, TraineeRow]) -> None:
    """The latest attempt's status per checkpoint, and its outcome once released."""
    latest = {
        (sub["trainee_id"], sub["checkpoint_id"]): sub
        for sub in Submission.objects.filter(checkpoint__cohort=cohort)
        .latest_attempts()
        .values("id", "checkpoint_id", "trainee_id", "attempt", "status", "is_late")
    }
    released = Assessment.objects.filter(submission__checkpoint__cohort=cohort).released_outcomes()
    for (trainee_id, checkpoint_id), sub in latest.items():
        row = rows.get(trainee_id)
        if row is None or checkpoint_id not in row.checkpoints:
            continue
        row.checkpoints[checkpoint_id] = CheckpointCell(
            status=sub["status"],
            attempt=sub["attempt"],
            is_late=sub["is_late"],
            outcome=released.get(sub["id"], ""),
        )


# --- Sorting ------------------------------------------------------------------


def _sort_value(row: TraineeRow, key: str):
    """A comparable value for the column, or None when the row has nothing there."""
    if key == "name":
        return row.name.casefold()
    if key == "weeks":
        return (row.weeks_journaled / row.weeks_elapsed, row.weeks_journaled) if row.weeks_elapsed else None
    if key == "shared":
        return row.shared
    if key == "last":
        return row.last_entry
    kind, _, checkpoint_id = key.partition("-")
    cell = row.checkpoints.get(int(checkpoint_id)) if checkpoint_id.isdigit() else None
    if cell is None:
        return None
    if kind == "sub":
        return (STATUS_RANK[cell.status], cell.attempt)
    return OUTCOME_RANK.get(cell.outcome)


def sort_rows(rows: list[TraineeRow], key: str, *, descending: bool = False) -> list[TraineeRow]:
    """Rows ordered by one column; rows with nothing in it come last either way, and ties
    are broken by name."""
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.user_id))
    present = [r for r in by_name if _sort_value(r, key) is not None]
    missing = [r for r in by_name if _sort_value(r, key) is None]
    return sorted(present, key=lambda r: _sort_value(r, key), reverse=descending) + missing


# --- CSV --------------------------------------------------------------------------


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will show as text: one starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_table(report: Report, rows: list[TraineeRow]) -> list[list[str]]:
    """The report as a header and one line per trainee, every cell safe for spreadsheets."""
    header = ["Trainee", "Email", "Weeks journaled", "Weeks elapsed", "Entries shared", "Last entry"]
    for checkpoint in report.checkpoints:
        header += [f"{checkpoint['title']}: submission", f"{checkpoint['title']}: outcome"]
    lines = [header]
    for row in rows:
        line = [row.name, row.email, row.weeks_journaled, row.weeks_elapsed, row.shared]
        line.append(row.last_entry.isoformat() if row.last_entry else "")
        for cell in row.cells:
            line += [cell.status_label, cell.outcome_label]
        lines.append(line)
    return [[spreadsheet_safe(value) for value in line] for line in lines]
