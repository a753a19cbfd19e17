"""Forms for the rubric builder. They validate only; services in rubrics.py write."""

from django import forms

from reflect.assessment import rubrics
from reflect.plain_text import ExplainsNul, nul_message


def _max_length_message(limit: int) -> dict:
    return {"max_length": f"Please keep this to {limit} characters or fewer (it has %(show_value)d)."}


class ProgrammeChoiceField(forms.ModelChoiceField):
    def __init__(self, programmes, **kwargs):
        super().__init__(
            queryset=programmes,
            label="Programme",
            empty_label=None,
            error_messages={"invalid_choice": "Please choose one of the programmes you run."},
            **kwargs,
        )


class RubricForm(ExplainsNul):
    title = forms.CharField(max_length=rubrics.TITLE_MAX, error_messages=_max_length_message(rubrics.TITLE_MAX))
    description = forms.CharField(
        required=False,
        max_length=rubrics.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the rubric is for and how tutors should use it.",
        error_messages=_max_length_message(rubrics.TEXT_MAX),
    )


class RubricCreateForm(RubricForm):
    """A new, empty rubric in one of the programmes the course admin runs."""

    field_order = ["programme", "title", "description"]

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"] = ProgrammeChoiceField(programmes)
        self.order_fields(self.field_order)


class CriterionForm(ExplainsNul):
    title = forms.CharField(
        max_length=rubrics.TITLE_MAX,
        error_messages={"required": "Please give the criterion a title.", **_max_length_message(rubrics.TITLE_MAX)},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        required=False,
        max_length=rubrics.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages=_max_length_message(rubrics.TEXT_MAX),
    )


class LevelForm(ExplainsNul):
    label = forms.CharField(
        max_length=rubrics.LABEL_MAX,
        error_messages={"required": "Please give the level a label.", **_max_length_message(rubrics.LABEL_MAX)},
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    points = forms.IntegerField(
        min_value=rubrics.POINTS_MIN,
        max_value=rubrics.POINTS_MAX,
        error_messages={
            "required": "Please give the points for this level.",
            "invalid": "Points must be a whole number.",
            "min_value": f"Points must be {rubrics.POINTS_MIN} or more.",
            "max_value": f"Points must be {rubrics.POINTS_MAX} or fewer.",
        },
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": 1}),
    )
    descriptor = forms.CharField(
        required=False,
        max_length=rubrics.TEXT_MAX,
        label="What it looks like",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
        error_messages=_max_length_message(rubrics.TEXT_MAX),
    )


class RubricImportForm(ExplainsNul):
    """Upload a rubric .json file or paste its text. `cleaned_data["data"]` holds
    the validated rubric; every problem in the JSON becomes its own form error."""

    field_order = ["programme", "file", "text"]

    file = forms.FileField(
        required=False,
        label="Rubric file (.json)",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    text = forms.CharField(
        required=False,
        strip=False,
        label="…or paste the JSON",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "font-monospace"}),
    )

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"] = ProgrammeChoiceField(programmes)
        self.order_fields(self.field_order)
        self.fields["text"].error_messages["null_characters_not_allowed"] = nul_message("The pasted JSON")
        self.file_text = None  # the uploaded file's text, shown in the box if it needs fixing

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > rubrics.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is 1 MB. "
                "A rubric file is usually a few kilobytes."
            )
        return upload

    def clean_text(self):
        text = self.cleaned_data.get("text", "")
        if len(text) > rubrics.MAX_IMPORT_BYTES:
            raise forms.ValidationError("The pasted text is larger than 1 MB. A rubric is usually a few kilobytes.")
        return text

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, text = cleaned.get("file"), cleaned.get("text", "")
        if upload and text.strip():
            raise forms.ValidationError("Please either choose a file or paste the JSON, not both.")
        if not upload and not text.strip():
            raise forms.ValidationError("Please choose a rubric file or paste its JSON.")
        source = text
        if upload:
            raw = upload.read()
            try:
                self.file_text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                pass
            source = raw
        try:
            cleaned["data"] = rubrics.rubric_parse(source)
        except rubrics.RubricFormatError as exc:
            raise forms.ValidationError(exc.errors) from None
        return cleaned
