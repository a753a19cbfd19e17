"""Forms for a cohort's checkpoints and the allocation of their markers. They
validate only; reflect.assessment.checkpoints and .allocation write."""

import datetime
import re

from django import forms
from django.utils import timezone

from accounts.models import User
from reflect.assessment.allocation import allocation_candidates
from reflect.assessment.checkpoints import RUBRIC_IN_USE, checkpoint_allocations, checkpoint_has_assessment
from reflect.assessment.models import AllocationRole, Checkpoint, Rubric
from reflect.cohorts.models import Cohort
from reflect.manage.forms import DATE_INPUT

MAX_REMINDER_DAY = 60
INSTRUCTIONS_MAX = 20_000
SAME_PERSON = "Choose different people as second marker and moderator: the moderator reviews the second marking."
DAYS_HELP = (
    "Trainees who haven't submitted get an email this many days before the deadline. Separate the days with "
    "commas, for example 7, 1 (0 means on the day). Leave empty for no reminders."
)


def parse_reminder_days(text: str) -> list[int]:
    """“7, 1” → [7, 1], largest first. Raises ValidationError with a plain message."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    days: list[int] = []
    for part in parts:
        if not part.isdigit():
            raise forms.ValidationError(
                f"“{part}” isn't a number of days. Write whole numbers separated by commas, such as 7, 1."
            )
        day = int(part)
        if day > MAX_REMINDER_DAY:
            raise forms.ValidationError(f"Reminders can be at most {MAX_REMINDER_DAY} days before the deadline.")
        if day in days:
            raise forms.ValidationError(f"{day} is listed more than once. List each day once.")
        days.append(day)
    return sorted(days, reverse=True)


def local_deadline(date: datetime.date, time: datetime.time, cohort: Cohort) -> datetime.datetime | None:
    """The moment `date` `time` on the cohort's clocks, in UTC; None if that time
    doesn't exist there (skipped when the clocks go forward)."""
    local = datetime.datetime.combine(date, time, tzinfo=cohort.tz)
    moment = local.astimezone(datetime.UTC)
    if moment.astimezone(cohort.tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return moment


class CheckpointForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="For example “End of first term portfolio”. Trainees and tutors see it.",
        error_messages={
            "required": "Give the checkpoint a title.",
            "max_length": "Keep the title to %(limit_value)d characters or fewer.",
        },
    )
    instructions = forms.CharField(
        required=False,
        max_length=INSTRUCTIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Optional. What trainees should include. Markdown works: **bold**, lists and links.",
        error_messages={"max_length": "Keep the instructions to %(limit_value)d characters or fewer."},
    )
    due_date = forms.DateField(
        label="Deadline date",
        widget=DATE_INPUT,
        error_messages={"required": "Choose the deadline date.", "invalid": "Enter a date such as 2026-12-11."},
    )
    due_time = forms.TimeField(
        label="Deadline time",
        initial=datetime.time(17, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Choose the deadline time.", "invalid": "Enter a time such as 17:00."},
    )
    rubric = forms.ModelChoiceField(
        queryset=Rubric.objects.none(),
        label="Rubric version",
        empty_label="Choose a rubric…",
        help_text="Tutors assess every submission with exactly this version.",
        error_messages={
            "required": "Choose the rubric tutors will assess with.",
            "invalid_choice": "Choose one of this programme's rubrics from the list.",
        },
    )
    reminder_days = forms.CharField(
        required=False,
        max_length=200,
        initial="7, 1",
        label="Reminder days",
        help_text=DAYS_HELP,
        error_messages={"max_length": "That is too long. List days such as 7, 1."},
    )
    second_marker = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="Second-marks every submission, blind, unless a submission has its own.",
        error_messages={"invalid_choice": "Choose one of this cohort's tutors."},
    )
    moderator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody yet",
        help_text="Reads both markings once they are complete and agrees the outcome.",
        error_messages={"invalid_choice": "Choose one of this cohort's tutors."},
    )

    def __init__(self, *args, cohort: Cohort, checkpoint: Checkpoint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort, self.checkpoint = cohort, checkpoint
        zone = cohort.time_zone
        self.fields["due_date"].help_text = f"On the cohort's clocks ({zone})."
        self.fields["due_time"].label = f"Deadline time ({zone})"
        self.fields["due_time"].help_text = f"{zone} time, whatever your own time zone."
        self.fields["rubric"].queryset = Rubric.objects.filter(programme_id=cohort.programme_id)
        self.fields["rubric"].label_from_instance = lambda r: f"{r.title} (v{r.version})"
        candidates = allocation_candidates(checkpoint or Checkpoint(cohort=cohort))
        for role in ("second_marker", "moderator"):
            self.fields[role].queryset = candidates
        self.rubric_in_use = checkpoint is not None and checkpoint_has_assessment(checkpoint)
        if self.rubric_in_use:
            self.fields["rubric"].help_text = "Marking has started, so the rubric can't be changed now."
        if checkpoint is not None and not self.is_bound:
            self.initial.update(self._initial_from(checkpoint))

    def _initial_from(self, checkpoint: Checkpoint) -> dict:
        local = checkpoint.due_at.astimezone(self.cohort.tz)
        markers = checkpoint_allocations(checkpoint)
        return {
            "title": checkpoint.title,
            "instructions": checkpoint.instructions,
            "due_date": local.date(),
            "due_time": local.time().replace(second=0, microsecond=0),
            "rubric": checkpoint.rubric_id,
            "reminder_days": ", ".join(str(d) for d in checkpoint.reminder_days),
            "second_marker": markers[AllocationRole.SECOND_MARKER],
            "moderator": markers[AllocationRole.MODERATOR],
        }

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        clash = Checkpoint.objects.filter(cohort=self.cohort, title__iexact=title)
        if self.checkpoint is not None:
            clash = clash.exclude(pk=self.checkpoint.pk)
        if clash.exists():
            raise forms.ValidationError(f"This cohort already has a checkpoint called “{title}”. Choose another title.")
        return title

    def clean_rubric(self) -> Rubric:
        rubric = self.cleaned_data["rubric"]
        if self.rubric_in_use and rubric.pk != self.checkpoint.rubric_id:
            raise forms.ValidationError(RUBRIC_IN_USE)
        return rubric

    def clean_reminder_days(self) -> list[int]:
        return parse_reminder_days(self.cleaned_data["reminder_days"])

    def clean(self) -> dict:
        data = super().clean()
        date, time = data.get("due_date"), data.get("due_time")
        if date and time:
            self._clean_deadline(date, time)
        second, moderator = data.get("second_marker"), data.get("moderator")
        if second is not None and second == moderator:
            self.add_error("moderator", SAME_PERSON)
        return data

    def _clean_deadline(self, date: datetime.date, time: datetime.time) -> None:
        due_at = local_deadline(date, time, self.cohort)
        if due_at is None:
            when = f"{time:%H:%M} on {date.day} {date:%B}"
            self.add_error("due_time", f"{when} doesn't exist in {self.cohort.time_zone}: the clocks go forward then.")
            return
        if self.checkpoint is not None:
            old = self.checkpoint.due_at.astimezone(self.cohort.tz)
            if (old.date(), old.time().replace(second=0, microsecond=0)) == (date, time):
                # Unchanged on the form (which shows minutes): keep the exact
                # saved moment, even if it has passed.
                self.cleaned_data["due_at"] = self.checkpoint.due_at
                return
        if due_at <= timezone.now():
            self.add_error("due_date", "That deadline has already passed. Choose a date and time in the future.")
            return
        self.cleaned_data["due_at"] = due_at

    def service_kwargs(self) -> dict:
        """What reflect.assessment.checkpoints' create and update take."""
        names = ("title", "instructions", "due_at", "rubric", "reminder_days", "second_marker", "moderator")
        return {name: self.cleaned_data[name] for name in names}


class SubmissionAllocationForm(forms.Form):
    """One row of the per-submission table: this submission's own second marker
    and moderator; the empty choice follows the checkpoint's."""

    second_marker = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of this cohort's tutors."},
    )
    moderator = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of this cohort's tutors."},
    )

    def __init__(self, *args, candidates: list[User], defaults: dict[str, User | None], **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from a list the page loaded once, so fifty rows of forms
        # cost no queries of their own.
        self.people = {user.pk: user for user in candidates}
        self.defaults = defaults
        people = [(user.pk, str(user)) for user in candidates]
        for name, role in (("second_marker", AllocationRole.SECOND_MARKER), ("moderator", AllocationRole.MODERATOR)):
            default = defaults.get(role)
            field = self.fields[name]
            field.choices = [("", f"As the checkpoint ({default or 'nobody'})"), *people]
            field.label = AllocationRole(role).label
            field.widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict:
        data = super().clean()
        for name in ("second_marker", "moderator"):
            if name in data:
                data[name] = self.people.get(data[name]) if data[name] is not None else None
        if self.errors:
            return data
        # Compare whom the submission ends up with, its own choice or else the checkpoint's.
        second = data["second_marker"] or self.defaults.get(AllocationRole.SECOND_MARKER)
        moderator = data["moderator"] or self.defaults.get(AllocationRole.MODERATOR)
        if second is not None and second == moderator:
            raise forms.ValidationError(SAME_PERSON)
        return data
