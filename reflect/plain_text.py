"""Text that cannot be stored: PostgreSQL refuses the NUL character (U+0000) in
text and JSON columns, so a form that let one through would answer with a server
error. Django's CharField already refuses it; this gives that refusal words a
trainee or course admin can act on."""

from django import forms

NUL = "\x00"
NUL_CODE = "null_characters_not_allowed"  # the code of Django's ProhibitNullCharactersValidator


def nul_message(what: str) -> str:
    return (
        f"{what} contains an invisible “null” character, which can't be saved. It usually comes from text "
        "pasted from another program: please delete and retype the last thing you pasted, or paste it again "
        "as plain text."
    )


def explain_nul(form: forms.BaseForm) -> None:
    """Give every text field of `form` the plain-words refusal, naming the field."""
    for name, field in form.fields.items():
        label = str(field.label or name.replace("_", " ").capitalize())
        field.error_messages[NUL_CODE] = nul_message(f"“{label}”")


class ExplainsNul(forms.Form):
    """A form whose text fields refuse a NUL character in plain words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        explain_nul(self)
