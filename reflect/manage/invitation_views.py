"""Invitations: the course admin's list (resend, revoke) and the invited person's page."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import INVITATION_VALID_FOR, User
from reflect.manage import invitations
from reflect.manage.access import get_cohort_for_admin
from reflect.manage.models import CohortInvitation

PAGE_SIZE = 50
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


# Course admin --------------------------------------------------------------------------------------------------


FILTERS = {"undelivered": "Email not delivered", "expired": "Expired"}


def _invitation(request: HttpRequest, pk: int) -> CohortInvitation:
    """An invitation (open or not) to a cohort this person administers; anything else is 404."""
    queryset = CohortInvitation.objects.administered_by(request.user).select_related("cohort__programme")
    return get_object_or_404(queryset, pk=pk)


def _cannot_change(request: HttpRequest, invitation: CohortInvitation, verb: str) -> HttpResponse | None:
    """Back to the list, with the reason, when the invitation can no longer be sent again
    or withdrawn (`verb`): its cohort is archived, or it was closed in the meantime."""
    if invitation.cohort.is_read_only:
        messages.error(request, "This cohort is archived, so its invitations can no longer be sent again or withdrawn.")
    elif invitation.accepted_at is not None:
        messages.info(
            request, f"{invitation.email} accepted their invitation in the meantime, so there is nothing to {verb}."
        )
    elif invitation.revoked_at is not None:
        messages.info(
            request,
            f"The invitation for {invitation.email} was withdrawn in the meantime, so there is nothing to {verb}.",
        )
    else:
        return None
    return redirect("reflect:manage-invitations", pk=invitation.cohort_id)


def _search(queryset, text: str):
    """Invitations whose name or email contains every word typed."""
    for word in text.split():
        queryset = queryset.filter(
            Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
    return queryset


def _query(text: str, shown: str) -> str:
    return urlencode({name: value for name, value in (("q", text), ("show", shown)) if value})


@require_GET
def invitation_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has been invited and not joined yet; searchable, with filters for the ones that need attention."""
    cohort = get_cohort_for_admin(request, pk)
    now = timezone.now()
    waiting = cohort.invitations.open()
    matches = {
        "undelivered": ~Q(send_error=""),
        "expired": Q(sent_at__lte=now - INVITATION_VALID_FOR),
    }
    counts = waiting.aggregate(
        all=Count("pk"), **{name: Count("pk", filter=condition) for name, condition in matches.items()}
    )
    text = request.GET.get("q", "").strip()[:100]
    shown = request.GET.get("show", "")
    if shown not in FILTERS:
        shown = ""
    listed = _search(waiting, text)
    if shown:
        listed = listed.filter(matches[shown])
    listed = listed.order_by("last_name", "first_name", "email")
    context = {
        "cohort": cohort,
        "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
        "counts": counts,
        "filters": [
            (name, label, counts[name or "all"], "?" + _query(text, name))
            for name, label in [("", "All"), *FILTERS.items()]
        ],
        "text": text,
        "shown": shown,
        "shown_label": FILTERS.get(shown, ""),
        "query": _query(text, shown),  # kept by the pagination links
        "now": now,
    }
    return render(request, "reflect/manage/invitation_list.html", context)


@require_POST
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    if closed := _cannot_change(request, invitation, "send again"):
        return closed
    if not invitations.invitation_resend(invitation=invitation, by=request.user):
        invitation.refresh_from_db()  # closed between the two queries
        return _cannot_change(request, invitation, "send again") or redirect(
            "reflect:manage-invitations", pk=invitation.cohort_id
        )
    if invitation.send_error:
        messages.warning(request, f"The invitation to {invitation.email} has not gone yet. {invitation.send_error}")
    else:
        messages.success(request, f"Invitation sent again to {invitation.email}. The link now works for 14 days.")
    return redirect("reflect:manage-invitations", pk=invitation.cohort_id)


@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST withdraws the invitation so its link stops working."""
    invitation = _invitation(request, pk)
    if closed := _cannot_change(request, invitation, "withdraw"):
        return closed
    if request.method == "POST":
        if not invitations.invitation_revoke(invitation=invitation, by=request.user):
            invitation.refresh_from_db()  # closed between the two queries
            return _cannot_change(request, invitation, "withdraw") or redirect(
                "reflect:manage-invitations", pk=invitation.cohort_id
            )
        messages.success(request, f"Invitation for {invitation.email} withdrawn. Their link no longer works.")
        return redirect("reflect:manage-invitations", pk=invitation.cohort_id)
    return render(request, "reflect/manage/invitation_confirm_revoke.html", {"invitation": invitation})


# The invited person --------------------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    display_name = forms.CharField(
        label="Your name", max_length=80, help_text="How tutors and others on your course will see you."
    )
    password1 = forms.CharField(label="Choose a password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Type the password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, invitation: CohortInvitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password2"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords don't match. Please type the same password twice.")
        if first:  # say what is wrong with the password now, not after the next try
            probe = User(email=self.invitation.email, display_name=data.get("display_name", ""))
            try:
                password_validation.validate_password(first, user=probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


@login_not_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        return _closed(request, "This invitation link isn't valid. Check that you copied the whole link.", 404)
    reason = invitations.closed_reason(invitation)
    if reason:
        return _closed(request, reason, 410)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _accept_existing(request, invitation)
    form = AcceptForm(request.POST or None, invitation=invitation, initial={"display_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            accepted = invitations.invitation_accept(
                invitation=invitation,
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except invitations.InvitationClosed as error:
            return _closed(request, str(error), 410)
        login(request, accepted.user, backend=LOGIN_BACKEND)
        messages.success(request, f"Welcome to {invitation.cohort.name}.")
        return redirect("reflect:dashboard")
    context = {"invitation": invitation, "form": form, "existing": False}
    return render(request, "reflect/manage/invitation_accept.html", context, status=400 if form.errors else 200)


def _accept_existing(request: HttpRequest, invitation: CohortInvitation) -> HttpResponse:
    """The address has an account already: one click joins the cohort, then they sign in
    (or, if they are signed in as that person, go straight to their dashboard)."""
    if request.method != "POST":
        return render(request, "reflect/manage/invitation_accept.html", {"invitation": invitation, "existing": True})
    try:
        accepted = invitations.invitation_accept(invitation=invitation)
    except invitations.InvitationClosed as error:
        return _closed(request, str(error), 410)
    messages.success(request, f"You have joined {invitation.cohort.name}.")
    if request.user.is_authenticated and request.user.pk == accepted.user.pk:
        return redirect("reflect:dashboard")
    return redirect(reverse("account_login") + "?" + urlencode({"next": reverse("reflect:dashboard")}))


def _closed(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "reflect/manage/invitation_closed.html", {"reason": reason}, status=status)
