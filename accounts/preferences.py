"""Email settings: which emails a person wants, an optional weekday and time of
their own for the weekly prompt, and their time zone."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import TIME_ZONE_CHOICES, NotificationPreferences, User, Weekday, validate_time_zone

CATEGORY_FIELDS = ["weekly_prompt", "deadlines", "digest", "notifications"]


def _time_zone_choices(current: str) -> list[tuple[str, str]]:
    choices = [("UTC", "UTC"), *TIME_ZONE_CHOICES]
    if current and current not in dict(choices):
        choices.insert(0, (current, current))
    return choices


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        validators=[validate_time_zone],
        help_text="Times on the site, and your own prompt time above, are in this time zone.",
    )

    class Meta:
        model = NotificationPreferences
        fields = [*CATEGORY_FIELDS, "prompt_weekday", "prompt_time"]
        labels = {
            "weekly_prompt": "A weekly reflective prompt to help you start writing",
            "deadlines": "Reminders before a portfolio deadline",
            "digest": "A weekly digest of what is waiting for you to read and assess (tutors)",
            "notifications": "An email when someone comments on your writing or feedback is released",
            "prompt_weekday": "Day",
            "prompt_time": "Time",
        }
        help_texts = {
            "prompt_weekday": "Leave the day and time empty to use your cohort's schedule.",
            "notifications": "Several in a short time arrive together in one email.",
            "prompt_time": "In your own time zone, below.",
        }
        widgets = {"prompt_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["time_zone"].choices = _time_zone_choices(user.time_zone)
        self.fields["time_zone"].initial = user.time_zone
        self.fields["prompt_weekday"].choices = [("", "Your cohort's day"), *Weekday.choices]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout(
            Fieldset("Which emails would you like?", *CATEGORY_FIELDS),
            Fieldset(
                "When your weekly prompt arrives",
                "prompt_weekday",
                "prompt_time",
                css_class="mt-3",
            ),
            Fieldset("Time zone", "time_zone", css_class="mt-3"),
        )

    def clean(self):
        data = super().clean()
        weekday, at = data.get("prompt_weekday"), data.get("prompt_time")
        if (weekday is None) != (at is None) and not self.errors:
            missing = "prompt_time" if at is None else "prompt_weekday"
            self.add_error(
                missing,
                "Please choose both a day and a time for your own prompt, "
                "or leave both empty to use your cohort's schedule.",
            )
        return data


@transaction.atomic
def preferences_update(*, user: User, data: dict) -> NotificationPreferences:
    """Save a person's email choices (creating their row the first time) and time zone."""
    fields = {name: data[name] for name in [*CATEGORY_FIELDS, "prompt_weekday", "prompt_time"]}
    preferences, _ = NotificationPreferences.objects.update_or_create(user=user, defaults=fields)
    if data["time_zone"] != user.time_zone:
        user.time_zone = data["time_zone"]
        user.save(update_fields=["time_zone"])
    return preferences


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    instance = NotificationPreferences.objects.filter(user=request.user).first()
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, data=form.cleaned_data)
        messages.success(request, "Your email settings are saved.")
        return redirect("accounts:preferences")
    status = 400 if form.is_bound else 200
    return render(request, "account/preferences.html", {"form": form}, status=status)
