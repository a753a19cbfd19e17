"""A cohort's members under /manage/cohorts/<id>/members/: add, remove, change
role, assign tutors and move trainees. Every write goes through one service;
every object is reached through the cohorts this person administers."""

from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.access import cohorts_administered_by
from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import services
from reflect.manage.access import get_cohort_for_admin
from reflect.manage.forms import AssignTutorsForm, InviteForm, MemberAddForm, MemberFilterForm, MoveForm, RoleForm
from reflect.manage.invite import member_invite as invite_service
from reflect.manage.models import CohortInvitation, MembershipMove

PAGE_SIZE = 100
WAITING_SHOWN = 10  # the newest open invitations listed here; all of them are on the invitations page
MOVES_PAGE_SIZE = 50
LAST_ADMIN = "This is the cohort's only course admin. Add another course admin before changing this role."
ROLE_ORDER = Case(
    When(role=Role.COURSE_ADMIN, then=Value(0)),
    When(role=Role.TUTOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
ASSIGNMENTS = Membership.assigned_trainees.through


def _get_membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    cohort = get_cohort_for_admin(request, pk)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, cohort=cohort)
    membership.cohort = cohort
    return membership


def _members_url(cohort: Cohort, state: dict | None = None) -> str:
    url = reverse("reflect:manage-members", kwargs={"pk": cohort.pk})
    query = urlencode({k: v for k, v in (state or {}).items() if v})
    return f"{url}?{query}" if query else url


def _list_state(params: QueryDict) -> dict[str, str]:
    """The search, filter and page numbers of the members page, from its query string or from
    the hidden copies the assign form sends; anything unusable is dropped."""
    form = MemberFilterForm(params)
    form.is_valid()
    state = {"q": form.cleaned_data.get("q", ""), "show": form.cleaned_data.get("show", "")}
    for key in ("page", "moves_page"):
        value = params.get(key, "")
        state[key] = value if value.isdigit() and value != "1" else ""
    return state


def _filtered(memberships: QuerySet, cohort: Cohort, *, q: str, show: str) -> QuerySet:
    if q:
        memberships = memberships.filter(Q(user__display_name__icontains=q) | Q(user__email__icontains=q))
    if show == MemberFilterForm.NO_TUTOR:
        has_tutor = ASSIGNMENTS.objects.filter(membership__cohort=cohort, user_id=OuterRef("user_id"))
        memberships = memberships.filter(~Exists(has_tutor), role=Role.TRAINEE)
    elif show:
        memberships = memberships.filter(role=show)
    return memberships


def _tutor_names(cohort: Cohort, user_ids: list[int]) -> dict[int, list[str]]:
    """trainee id → the names of the tutors assigned to them in this cohort, in one query."""
    rows = ASSIGNMENTS.objects.filter(membership__cohort=cohort, user_id__in=user_ids).values_list(
        "user_id", "membership__user__display_name", "membership__user__email"
    )
    names: dict[int, list[str]] = {}
    for trainee_id, name, email in rows.order_by("membership__user__display_name", "membership__user__email"):
        names.setdefault(trainee_id, []).append(name or email)
    return names


@require_GET
def members(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    return _members_page(request, cohort, params=request.GET)


def _members_page(
    request, cohort: Cohort, *, params: QueryDict, add_form=None, assign_form=None, invite_form=None, status=200
):
    """The members page. `params` holds the search, filter and page numbers: the query string,
    or what the assign form posted, so a failed assign comes back to the same list."""
    filter_form = MemberFilterForm(params)
    state = _list_state(params)
    memberships = (
        _filtered(Membership.objects.filter(cohort=cohort), cohort, q=state["q"], show=state["show"])
        .select_related("user")
        .annotate(role_order=ROLE_ORDER, assigned_count=Count("assigned_trainees"))
        .order_by("role_order", "user__display_name", "user__email")
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(state["page"])
    counts = Membership.objects.filter(cohort=cohort).aggregate(
        total=Count("pk"), admins=Count("pk", filter=Q(role=Role.COURSE_ADMIN))
    )
    assign_form = assign_form or AssignTutorsForm(cohort=cohort)
    ticked = assign_form.ticked()
    page.object_list = list(page.object_list)
    tutors = _tutor_names(cohort, [m.user_id for m in page.object_list if m.role == Role.TRAINEE])
    for membership in page.object_list:
        membership.tutor_names = tutors.get(membership.user_id, [])
        membership.ticked = membership.user_id in ticked
        membership.is_you = membership.user_id == request.user.pk
        membership.last_admin = membership.role == Role.COURSE_ADMIN and counts["admins"] == 1
    moves = (
        MembershipMove.objects.filter(Q(from_cohort=cohort) | Q(to_cohort=cohort))
        .select_related("user", "from_cohort", "to_cohort", "moved_by")
        .order_by("-moved_at", "-pk")
    )
    moves_page = Paginator(moves, MOVES_PAGE_SIZE).get_page(state["moves_page"])
    kept = {"q": state["q"], "show": state["show"]}
    waiting = CohortInvitation.objects.filter(cohort=cohort).open()
    has_tutors = assign_form.fields["tutor"].queryset.exists()
    context = {
        "cohort": cohort,
        "page": page,
        "members_url": _members_url(cohort),
        "filter_form": filter_form,
        "filtered": bool(state["q"] or state["show"]),
        "list_query": urlencode({k: v for k, v in {**kept, "moves_page": state["moves_page"]}.items() if v}),
        "moves_query": urlencode({k: v for k, v in {**kept, "page": state["page"]}.items() if v}),
        "kept_state": [(k, v) for k, v in state.items() if v],
        "total": counts["total"],
        "roles": Role.choices,
        "add_form": add_form or MemberAddForm(),
        "assign_form": assign_form,
        "has_tutors": has_tutors,
        "can_assign": has_tutors and not cohort.is_read_only,
        "invite_form": invite_form or InviteForm(cohort=cohort),
        "open_invitations": waiting.count(),
        "waiting": waiting.order_by("-created_at", "-pk")[:WAITING_SHOWN],
        "moves": moves_page.object_list,
        "moves_page": moves_page,
        "can_move": cohorts_administered_by(request.user).active().exclude(pk=cohort.pk).exists(),
    }
    return render(request, "reflect/manage/members.html", context, status=status)


@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _members_page(request, cohort, params=QueryDict(), add_form=form, status=400)
    try:
        data = form.cleaned_data
        membership = services.member_add(cohort=cohort, email=data["email"], role=data["role"], by=request.user)
    except services.NoSuchUser as error:
        # Lead them to the invitation form on the same page, already holding the address.
        invite_form = InviteForm(cohort=cohort, initial={"email": data["email"], "role": data["role"]})
        form.add_error("email", format_html('{} <a href="#invite-heading">Invite them</a> below.', error))
        return _members_page(request, cohort, params=QueryDict(), add_form=form, invite_form=invite_form, status=400)
    except services.ManageError as error:
        form.add_error(None, str(error))
        return _members_page(request, cohort, params=QueryDict(), add_form=form, status=400)
    messages.success(request, f"{membership.user} added as {membership.get_role_display().lower()}.")
    return redirect(_members_url(cohort))


@require_POST
def member_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite one person, or add them at once if their address has an account."""
    cohort = get_cohort_for_admin(request, pk)
    form = InviteForm(request.POST, cohort=cohort)
    if not form.is_valid():
        return _members_page(request, cohort, params=QueryDict(), invite_form=form, status=400)
    data = form.cleaned_data
    try:
        tutor = data["tutor"].user if data["tutor"] else None
        fields = {f: data[f] for f in ("email", "role", "first_name", "last_name")}
        invited = invite_service(cohort=cohort, by=request.user, tutor=tutor, **fields)
    except services.ManageError as error:
        form.add_error(None, str(error))
        return _members_page(request, cohort, params=QueryDict(), invite_form=form, status=400)
    role = Role(data["role"]).label.lower()
    if invited.user is not None:
        messages.success(
            request, f"{invited.user} already had an account, so they were added as a {role} and told by email."
        )
    else:
        name = invited.invitation.full_name or invited.invitation.email
        messages.success(request, f"Invitation to join as a {role} emailed to {name}. They are listed under “Invited”.")
    return redirect(_members_url(cohort))


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk, membership_pk)
    if request.method == "POST":
        try:
            services.member_remove(membership=membership, by=request.user)
        except services.ManageError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{membership.user} is no longer a {membership.get_role_display().lower()} here.")
        return redirect(_members_url(membership.cohort))
    context = {
        "membership": membership,
        "cohort": membership.cohort,
        "last_admin": services.is_last_admin(membership),
        "is_you": membership.user_id == request.user.pk,
    }
    return render(request, "reflect/manage/members_confirm_remove.html", context)


def _role_change_effects(request: HttpRequest, membership: Membership, role: str) -> dict:
    """What changing this role would also do that deserves a second look; empty when nothing."""
    effects: dict = {}
    if membership.user_id == request.user.pk:
        effects["is_you"] = True
    if membership.role == Role.TUTOR:
        if count := membership.assigned_trainees.count():
            effects["trainees_lost"] = count
    elif membership.role == Role.TRAINEE:
        if names := _tutor_names(membership.cohort, [membership.user_id]).get(membership.user_id):
            effects["tutors_lost"] = names
    return effects


@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """POST from the members table changes the role at once, unless the change would take
    away tutor assignments or is your own: then it asks first (GET ?role=…), and the
    confirmation page posts again with confirm=1."""
    membership = _get_membership(request, pk, membership_pk)
    cohort = membership.cohort
    form = RoleForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect(_members_url(cohort))
    role = form.cleaned_data["role"]
    if request.method == "GET":
        if role == membership.role:
            messages.info(request, f"{membership.user} is already a {membership.get_role_display().lower()}.")
            return redirect(_members_url(cohort))
        if services.is_last_admin(membership):
            messages.error(request, LAST_ADMIN)
            return redirect(_members_url(cohort))
        context = {
            "membership": membership,
            "cohort": cohort,
            "role": role,
            "role_label": Role(role).label,
            "effects": _role_change_effects(request, membership, role),
        }
        return render(request, "reflect/manage/members_confirm_role.html", context)
    needs_asking = role != membership.role and not services.is_last_admin(membership)
    if needs_asking and not form.cleaned_data["confirm"] and _role_change_effects(request, membership, role):
        url = reverse("reflect:manage-member-role", kwargs={"pk": cohort.pk, "membership_pk": membership.pk})
        return redirect(f"{url}?{urlencode({'role': role})}")
    try:
        _change_role(request, membership=membership, role=role)
    except services.ManageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} is now a {membership.get_role_display().lower()}.")
    return redirect(_members_url(cohort))


# A role decides who reads whose writing: the admin confirms their password first
# (allauth's reauthentication, which then carries the change through). Asked only once
# the admin may change this membership, so anyone else still gets a 404.
@reauthentication_required(enabled=lambda request: settings.REAUTH_FOR_ROLE_CHANGES)
def _change_role(request: HttpRequest, *, membership: Membership, role: str) -> None:
    services.member_change_role(membership=membership, role=role, by=request.user)


@require_POST
def assign_tutors(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    form = AssignTutorsForm(request.POST, cohort=cohort)
    if not form.is_valid():
        return _members_page(request, cohort, params=request.POST, assign_form=form, status=400)
    tutor = form.cleaned_data["tutor"]
    unassign = form.cleaned_data["action"] == AssignTutorsForm.UNASSIGN
    try:
        trainee_ids = form.cleaned_data["trainees"]
        n = services.tutors_assign(
            cohort=cohort, tutor=tutor, trainee_ids=trainee_ids, unassign=unassign, by=request.user
        )
    except services.ManageError as error:
        form.add_error(None, str(error))
        return _members_page(request, cohort, params=request.POST, assign_form=form, status=400)
    people = "1 trainee" if n == 1 else f"{n} trainees"
    if unassign:
        messages.success(request, f"{people} unassigned from {tutor.user}.")
    else:
        messages.success(request, f"{people} assigned to {tutor.user}.")
    return redirect(_members_url(cohort, _list_state(request.POST)))


@require_http_methods(["GET", "POST"])
def member_move(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk, membership_pk)
    cohort = membership.cohort
    if membership.role != Role.TRAINEE:
        messages.error(request, "Only trainees can be moved to another cohort.")
        return redirect(_members_url(cohort))
    targets = cohorts_administered_by(request.user).active().exclude(pk=cohort.pk).select_related("programme")
    form = MoveForm(request.POST or None, cohorts=targets.order_by("programme__name", "-start_date", "name"))
    if request.method == "POST" and form.is_valid():
        try:
            to_cohort = form.cleaned_data["to_cohort"]
            move = services.member_move(membership=membership, to_cohort=to_cohort, by=request.user)
        except services.ManageError as error:
            form.add_error(None, str(error))
        else:
            entries = "1 entry" if move.entries_moved == 1 else f"{move.entries_moved} entries"
            messages.success(request, f"{membership.user} moved to {move.to_cohort.name}, with {entries}.")
            return redirect(_members_url(cohort))
    context = {"membership": membership, "cohort": cohort, "form": form}
    return render(request, "reflect/manage/members_move.html", context, status=400 if form.errors else 200)
