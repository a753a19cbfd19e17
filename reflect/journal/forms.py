import re

from django import forms
from django.utils import timezone

from reflect.cohorts.models import Cohort
from reflect.journal.models import BODY_MAX, TITLE_MAX, ArousalState, JournalEntry, Kind, Visibility
from reflect.journal.reflective import (
    DRISCOLL,
    FREE,
    GIBBS,
    STAGES,
    TEMPLATE_CHOICES,
    compose_body,
    section_field_name,
)
from reflect.plain_text import explain_nul

CLIENT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,19}$")
INTENSITY_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(11)]


class EntryForm(forms.Form):
    """The journal editor. Publishing asks for more than saving a draft does, so a
    half-written thought can always be kept."""

    title = forms.CharField(
        max_length=TITLE_MAX,
        required=False,
        error_messages={
            "max_length": "Please keep the title to %(limit_value)d characters or fewer (it has %(show_value)d)."
        },
    )
    kind = forms.ChoiceField(
        choices=Kind.choices,
        initial=Kind.GENERAL,
        label="What is this entry about?",
        error_messages={"invalid_choice": "Please choose one of the listed kinds of entry."},
    )
    template = forms.ChoiceField(
        choices=TEMPLATE_CHOICES,
        initial=FREE,
        label="Reflective template",
        error_messages={"invalid_choice": "Please choose one of the listed templates."},
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        label="Your reflection",
        help_text="Markdown works: **bold**, *italic*, lists with -, headings with #.",
    )
    session_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Session date",
        error_messages={"invalid": "Please enter the date as YYYY-MM-DD."},
    )
    client_code = forms.CharField(
        required=False,
        max_length=20,
        label="Client code",
        help_text="A pseudonym you will recognise, such as “Client A”.",
    )
    session_number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=999,
        label="Session number",
        error_messages={"min_value": "Session numbers start at 1.", "invalid": "Please enter a whole number."},
    )
    state_before = forms.ChoiceField(
        choices=[("", "—")] + ArousalState.choices,
        required=False,
        label="Before: where were you?",
        error_messages={"invalid_choice": "Please choose one of the listed states."},
    )
    intensity_before = forms.TypedChoiceField(
        choices=INTENSITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Intensity before (0–10)",
        error_messages={"invalid_choice": "Intensity is a number from 0 to 10."},
    )
    state_after = forms.ChoiceField(
        choices=[("", "—")] + ArousalState.choices,
        required=False,
        label="After: where are you now?",
        error_messages={"invalid_choice": "Please choose one of the listed states."},
    )
    intensity_after = forms.TypedChoiceField(
        choices=INTENSITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        label="Intensity after (0–10)",
        error_messages={"invalid_choice": "Intensity is a number from 0 to 10."},
    )
    body_note = forms.CharField(
        required=False,
        max_length=500,
        label="What did you notice in your body?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A few words is plenty: tight chest, warm hands, heavy legs, settled breathing.",
    )
    tags = forms.CharField(
        required=False,
        max_length=400,
        label="Tags",
        help_text="Separate tags with commas, for example: rupture, supervision, anxiety.",
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
        label="Who can read this?",
        error_messages={"invalid_choice": "Please choose either private or shared with your tutors."},
    )

    def __init__(self, *args, cohorts=None, publishing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.publishing = publishing
        cohorts = list(cohorts or [])
        self.fields["cohort"] = forms.ModelChoiceField(
            queryset=Cohort.objects.filter(pk__in=[c.pk for c in cohorts]),
            initial=cohorts[0].pk if cohorts else None,
            label="Cohort",
            widget=forms.Select if len(cohorts) > 1 else forms.HiddenInput,
            error_messages={
                "invalid_choice": "Please choose one of your cohorts.",
                "required": "You need to be a trainee in a cohort to keep a journal here.",
            },
        )
        for template, stages in STAGES.items():
            for stage in stages:
                self.fields[section_field_name(template, stage.key)] = forms.CharField(
                    required=False,
                    label=stage.label,
                    help_text=stage.question,
                    widget=forms.Textarea(attrs={"rows": 4, "data-template": template}),
                )
        explain_nul(self)

    def section_fields(self, template: str):
        return [self[section_field_name(template, s.key)] for s in STAGES[template]]

    @property
    def section_fields_gibbs(self):
        return self.section_fields(GIBBS)

    @property
    def section_fields_driscoll(self):
        return self.section_fields(DRISCOLL)

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if self.publishing and not title:
            raise forms.ValidationError("Please give your entry a title before publishing it.")
        return title

    def clean_session_date(self):
        value = self.cleaned_data["session_date"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The session date can't be in the future.")
        return value

    def clean_client_code(self):
        code = self.cleaned_data["client_code"].strip()
        if code and not CLIENT_CODE_RE.match(code):
            raise forms.ValidationError("Use a short code of letters, numbers and spaces, such as “Client A”.")
        return code

    def clean_tags(self):
        names = [t.strip().lower()[:40] for t in self.cleaned_data["tags"].split(",")]
        names = list(dict.fromkeys(n for n in names if n))
        if len(names) > 15:
            raise forms.ValidationError("Please use at most 15 tags on one entry.")
        return names

    def clean(self):
        data = super().clean()
        template = data.get("template") or FREE
        sections = {
            s.key: (data.get(section_field_name(template, s.key)) or "").strip() for s in STAGES.get(template, [])
        }
        data["sections"] = sections
        text = data.get("body", "") if template == FREE else compose_body(template, sections)
        # Browsers send each line break as two characters; count it as the editor's counter does.
        length = len(text.replace("\r\n", "\n"))
        if length > BODY_MAX:
            self.add_error(
                "body" if template == FREE else None,
                f"Your reflection is {length:,} characters long; the limit is {BODY_MAX:,}. "
                "Please shorten it or split it into two entries.",
            )
        if self.publishing and not text.strip():
            self.add_error("body" if template == FREE else None, "Please write something before publishing.")
        if self.publishing and data.get("kind") == Kind.CLIENT_WORK and not data.get("client_code"):
            self.add_error("client_code", "Client-work entries need a client code such as “Client A”.")
        return data

    @staticmethod
    def initial_from_entry(entry: JournalEntry, *, with_tags: bool = True) -> dict:
        initial = {
            "title": entry.title,
            "kind": entry.kind,
            "template": entry.template,
            "body": entry.body,
            "session_date": entry.session_date,
            "client_code": entry.client_code,
            "session_number": entry.session_number,
            "state_before": entry.state_before,
            "state_after": entry.state_after,
            "intensity_before": entry.intensity_before,
            "intensity_after": entry.intensity_after,
            "body_note": entry.body_note,
            "visibility": entry.visibility,
            "cohort": entry.cohort_id,
        }
        if with_tags:
            initial["tags"] = ", ".join(t.name for t in entry.tags.all())
        for key, text in (entry.sections or {}).items():
            initial[section_field_name(entry.template, key)] = text
        return initial
