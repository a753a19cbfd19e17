"""Forms for submissions and the marking grid. They validate input only; the
rules (which levels belong where, what may change when) live in services."""

from django import forms

from reflect.assessment.models import CRITERION_COMMENT_MAX, FEEDBACK_MAX, SUMMARY_MAX, Outcome
from reflect.journal.models import JournalEntry


class SubmissionForm(forms.Form):
    """The trainee's workspace: which published entries to include, and a summary."""

    entries = forms.ModelMultipleChoiceField(
        queryset=JournalEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Entries to include",
        help_text="Only your published entries in this cohort can be included.",
        error_messages={
            "invalid_choice": "One of the chosen entries can't be included; only your published entries can."
        },
    )
    summary = forms.CharField(
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        label="Summary reflection",
        help_text="What do these entries show about your development? Markdown works: **bold**, *italic*, lists.",
        error_messages={"max_length": "Please keep the summary to %(limit_value)d characters or fewer."},
    )

    def __init__(self, *args, eligible=None, **kwargs):
        super().__init__(*args, **kwargs)
        if eligible is not None:
            self.fields["entries"].queryset = eligible


class AcknowledgeForm(forms.Form):
    reply = forms.CharField(
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your reply (optional)",
        help_text="Anything you would like your tutor to know about this feedback.",
        error_messages={"max_length": "Please keep your reply to %(limit_value)d characters or fewer."},
    )


class GridForm(forms.Form):
    """The marking grid. Level and comment fields are named `level-<criterion id>`
    and `comment-<criterion id>`; they are collected in `clean` and checked against
    the rubric by `assessment_save`, so a level from elsewhere is refused there."""

    overall_feedback = forms.CharField(
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Overall feedback",
        error_messages={"max_length": "Please keep the overall feedback to %(limit_value)d characters or fewer."},
    )
    outcome = forms.ChoiceField(
        choices=[("", "Not decided yet")] + Outcome.choices,
        required=False,
        label="Outcome",
        error_messages={"invalid_choice": "Please choose Pass, Refer or Fail as the outcome."},
    )

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = {c.pk: c for c in criteria}

    def clean(self):
        cleaned = super().clean()
        levels, comments = {}, {}
        for key, value in self.data.items():
            prefix, _, ident = key.partition("-")
            if prefix not in ("level", "comment") or not ident:
                continue
            if not ident.isdigit():
                raise forms.ValidationError("Part of the grid was not understood. Nothing was saved.")
            if prefix == "level" and value:
                if not value.isdigit():
                    raise forms.ValidationError("One of the chosen levels was not understood. Nothing was saved.")
                levels[int(ident)] = int(value)
            elif prefix == "comment" and value.strip():
                if len(value) > CRITERION_COMMENT_MAX:
                    raise forms.ValidationError(
                        f"Please keep each criterion comment to {CRITERION_COMMENT_MAX} characters or fewer."
                    )
                comments[int(ident)] = value.strip()
        # A comment is stored with its level, so one without a level would be lost.
        orphans = [self.criteria[pk].title for pk in comments if pk in self.criteria and pk not in levels]
        if orphans:
            raise forms.ValidationError(
                f"Please choose a level for “{'”, “'.join(orphans)}” so its comment can be saved. Nothing was saved."
            )
        cleaned["levels"], cleaned["comments"] = levels, comments
        return cleaned


class AllocationForm(forms.Form):
    """The first marker's choice of second marker and moderator for one submission,
    from the cohort's tutors (`allocation_candidates`). The first marker isn't
    offered as their own second marker; `allocation_set` checks both rules again."""

    second_marker = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        label="Second marker",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "invalid_choice": "Choose a tutor of this cohort, other than the first marker, to second-mark."
        },
    )
    moderator = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Nobody yet",
        label="Moderator",
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": "Choose a tutor of this cohort to moderate."},
    )

    def __init__(self, *args, candidates, first_marker_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["second_marker"].queryset = candidates.exclude(pk=first_marker_id)
        self.fields["moderator"].queryset = candidates
