"""Forms for course admins. They validate only; the services write."""

import datetime

from django import forms

from accounts.models import TIME_ZONE_CHOICES, Weekday, validate_time_zone
from reflect.access import tutors_of
from reflect.cohorts.models import Cohort, Membership, Programme, Role

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = ["name", "description", "required_client_hours", "required_personal_therapy_hours"]
        labels = {
            "required_client_hours": "Client work hours required",
            "required_personal_therapy_hours": "Personal therapy hours required",
        }
        help_texts = {"name": "For example “PG Dip Counselling”."}
        error_messages = {"name": {"unique": "There is already a programme with this name. Choose another."}}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class CohortForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        initial="Europe/London",
        help_text="Weeks, reminders and deadlines follow this time zone.",
        error_messages={"invalid_choice": "Choose a time zone from the list, such as Europe/London."},
    )
    reminder_weekday = forms.TypedChoiceField(
        label="Weekly prompt day",
        choices=Weekday.choices,
        coerce=int,
        initial=Weekday.SUNDAY,
        help_text="The default day trainees get their weekly reflective prompt; each person may choose their own.",
    )
    reminder_time = forms.TimeField(
        label="Weekly prompt time",
        initial=datetime.time(18, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="In the cohort's time zone.",
        error_messages={"invalid": "Enter a time such as 18:00."},
    )

    class Meta:
        model = Cohort
        fields = ["name", "start_date", "end_date", "time_zone"]
        help_texts = {"name": "For example “Autumn 2026”. Each cohort of a programme needs its own name."}
        widgets = {"start_date": DATE_INPUT, "end_date": DATE_INPUT}
        error_messages = {
            "start_date": {"invalid": "Enter a date such as 2026-09-01."},
            "end_date": {"invalid": "Enter a date such as 2027-07-01."},
        }

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        schedule = getattr(self.instance, "reminder_schedule", None) if self.instance.pk else None
        if schedule is not None and not self.is_bound:
            self.initial.setdefault("reminder_weekday", schedule.weekday)
            self.initial.setdefault("reminder_time", schedule.local_time)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Cohort.objects.filter(programme=self.programme, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"{self.programme} already has a cohort called “{name}”. Choose another name.")
        return name

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        try:
            validate_time_zone(value)
        except forms.ValidationError:
            raise forms.ValidationError("Choose a time zone from the list, such as Europe/London.") from None
        return value

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The end date must be after the start date.")
        return data


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Email address", error_messages={"invalid": "Enter an email address such as name@example.com."}
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.TRAINEE)


class MemberFilterForm(forms.Form):
    """The search box and "Show" list above the members table (a GET form; also carried,
    hidden, by the assign form so a failed assign comes back to the same list)."""

    EVERYONE, NO_TUTOR = "", "no_tutor"

    q = forms.CharField(
        label="Search by name or email",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={"max_length": "Use %(limit_value)d characters or fewer in the search."},
    )
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[
            (EVERYONE, "Everyone"),
            (Role.TRAINEE, "Trainees"),
            (NO_TUTOR, "Trainees without a tutor"),
            (Role.TUTOR, "Tutors"),
            (Role.COURSE_ADMIN, "Course admins"),
        ],
        error_messages={"invalid_choice": "Choose one of the options in the list."},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, error_messages={"invalid_choice": "Choose a role from the list."})
    confirm = forms.BooleanField(required=False)


class AssignTutorsForm(forms.Form):
    """Trainees are checkboxes in the members table; the tutor comes from a select."""

    ASSIGN, UNASSIGN = "assign", "unassign"

    trainees = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "Choose at least one trainee.",
            "invalid_choice": "Some of the chosen people are not trainees of this cohort. Nothing was changed.",
        },
    )
    tutor = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        empty_label="Choose a tutor…",
        error_messages={
            "required": "Choose a tutor.",
            "invalid_choice": "The chosen tutor is not a tutor of this cohort. Nothing was changed.",
        },
    )
    action = forms.ChoiceField(
        choices=[(ASSIGN, "Assign ticked trainees"), (UNASSIGN, "Unassign ticked trainees")],
        initial=ASSIGN,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose assign or unassign.", "invalid_choice": "Choose assign or unassign."},
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        trainees = Membership.objects.filter(cohort=cohort, role=Role.TRAINEE).select_related("user")
        self.fields["trainees"].choices = [(m.user_id, str(m.user)) for m in trainees]
        self.fields["tutor"].queryset = (
            Membership.objects.filter(cohort=cohort, role=Role.TUTOR).select_related("user").order_by("user")
        )
        self.fields["tutor"].label_from_instance = lambda m: str(m.user)

    def ticked(self) -> set[int]:
        """The trainee ids ticked in the submitted form, valid or not, to tick them again."""
        if not self.is_bound:
            return set()
        key = self.add_prefix("trainees")
        values = self.data.getlist(key) if hasattr(self.data, "getlist") else self.data.get(key, [])
        return {int(v) for v in values if str(v).isdigit()}


class MoveForm(forms.Form):
    to_cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        label="Move to cohort",
        empty_label="Choose a cohort…",
        error_messages={
            "required": "Choose the cohort to move them to.",
            "invalid_choice": "Choose one of the cohorts in the list.",
        },
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cohort"].queryset = cohorts


class InviteForm(forms.Form):
    """One person for the members page's "Invite someone" (invite.py writes it as a roster row)."""

    first_name = forms.CharField(
        max_length=80,
        error_messages={"required": "Enter their first name.", "max_length": "Use 80 characters or fewer."},
    )
    last_name = forms.CharField(
        max_length=80,
        required=False,
        help_text="Leave empty if they use one name.",
        error_messages={"max_length": "Use 80 characters or fewer."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address.",
            "invalid": "Enter an email address such as name@example.com.",
            "max_length": "This email address is too long.",
        },
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.TRAINEE,
        error_messages={"invalid_choice": "Choose a role from the list."},
    )
    tutor = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        empty_label="No tutor yet",
        help_text="For a trainee. With no tutor, every tutor of the cohort reads them.",
        error_messages={"invalid_choice": "Choose one of this cohort's tutors, or “No tutor yet”."},
    )

    def __init__(self, *args, cohort: Cohort, **kwargs):
        # Its own names and ids: the assign form on the same page has a "tutor" field too.
        super().__init__(*args, prefix="invite", **kwargs)
        self.fields["tutor"].queryset = tutors_of(cohort).select_related("user").order_by("user__display_name")
        self.fields["tutor"].label_from_instance = lambda m: str(m.user)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        data = super().clean()
        tutor, role = data.get("tutor"), data.get("role")
        if tutor is not None and role and role != Role.TRAINEE:
            self.add_error("tutor", "Only a trainee has a tutor: choose “No tutor yet” for a tutor or course admin.")
        elif tutor is not None and tutor.user.email.lower() == data.get("email"):
            self.add_error("tutor", "A trainee can't be their own tutor.")
        return data
