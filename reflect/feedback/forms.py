from django import forms

from reflect.feedback.models import COMMENT_MAX


class CommentBodyField(forms.CharField):
    """Browsers send line breaks as CRLF; count them as one character, as the person typing does."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class CommentForm(forms.Form):
    """Validates the text of a comment, reply or edit. A plain Form: the services create and change comments,
    and the same form serves all three."""

    body = CommentBodyField(
        label="Comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Markdown works: **bold**, *italic*, lists and links. Up to {COMMENT_MAX:,} characters.",
        error_messages={
            "required": "Write something before posting: an empty comment can't be saved.",
            "max_length": (
                f"A comment can be at most {COMMENT_MAX:,} characters; this one has %(show_value)d. "
                "Shorten it or split it into two comments."
            ),
        },
    )

    def __init__(self, *args, label: str = "Comment", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = label
