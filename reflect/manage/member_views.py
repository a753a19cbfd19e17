"""A cohort's members under /manage/cohorts/<id>/members/: add, remove, change
role, assign tutors and move trainees. Every write goes through one service;
every object is reached through the cohorts this person administers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.cohorts.models import Cohort, Membership, Role
from reflect.manage import services
from reflect.manage.forms import AssignTutorsForm, MemberAddForm, MoveForm, RoleForm
from reflect.manage.models import CohortInvitation, MembershipMove
from reflect.manage.views import get_cohort_for_admin

PAGE_SIZE = 100
MOVES_SHOWN = 50
ROLE_ORDER = Case(
    When(role=Role.COURSE_ADMIN, then=Value(0)),
    When(role=Role.TUTOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _get_membership(request: HttpRequest, pk: int, membership_pk: int) -> Membership:
    cohort = get_cohort_for_admin(request, pk)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, cohort=cohort)
    membership.cohort = cohort
    return membership


def _members_url(cohort: Cohort) -> str:
    return reverse("reflect:manage-members", kwargs={"pk": cohort.pk})


def _tutor_names(cohort: Cohort) -> dict[int, list[str]]:
    """trainee id → the names of the tutors assigned to them in this cohort, in one query."""
    through = Membership.assigned_trainees.through
    rows = through.objects.filter(membership__cohort=cohort).values_list(
        "user_id", "membership__user__display_name", "membership__user__email"
    )
    names: dict[int, list[str]] = {}
    for trainee_id, name, email in rows.order_by("membership__user__display_name", "membership__user__email"):
        names.setdefault(trainee_id, []).append(name or email)
    return names


@require_GET
def members(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    return _members_page(request, cohort)


def _members_page(request: HttpRequest, cohort: Cohort, *, add_form=None, assign_form=None, status=200):
    memberships = (
        Membership.objects.filter(cohort=cohort)
        .select_related("user")
        .annotate(role_order=ROLE_ORDER, assigned_count=Count("assigned_trainees"))
        .order_by("role_order", "user__display_name", "user__email")
    )
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    tutors = _tutor_names(cohort)
    for membership in page.object_list:
        membership.tutor_names = tutors.get(membership.user_id, [])
    moves = (
        MembershipMove.objects.filter(Q(from_cohort=cohort) | Q(to_cohort=cohort))
        .select_related("user", "from_cohort", "to_cohort", "moved_by")
        .order_by("-moved_at")
    )
    assign_form = assign_form or AssignTutorsForm(cohort=cohort)
    context = {
        "cohort": cohort,
        "page": page,
        "roles": Role.choices,
        "add_form": add_form or MemberAddForm(),
        "assign_form": assign_form,
        "has_tutors": assign_form.fields["tutor"].queryset.exists(),
        "open_invitations": CohortInvitation.objects.filter(cohort=cohort).open().count(),
        "moves": moves[:MOVES_SHOWN],
        "can_move": Cohort.objects.administered_by(request.user).active().exclude(pk=cohort.pk).exists(),
    }
    return render(request, "reflect/manage/members.html", context, status=status)


@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _members_page(request, cohort, add_form=form, status=400)
    try:
        data = form.cleaned_data
        membership = services.member_add(cohort=cohort, email=data["email"], role=data["role"], by=request.user)
    except services.NoSuchUser as error:
        import_url = reverse("reflect:manage-roster-import", kwargs={"pk": cohort.pk})
        form.add_error("email", format_html('{} <a href="{}">Invite them with a roster import</a>.', error, import_url))
        return _members_page(request, cohort, add_form=form, status=400)
    except services.ManageError as error:
        form.add_error(None, str(error))
        return _members_page(request, cohort, add_form=form, status=400)
    messages.success(request, f"{membership.user} added as {membership.get_role_display().lower()}.")
    return redirect(_members_url(cohort))


@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk, membership_pk)
    if request.method == "POST":
        try:
            services.member_remove(membership=membership)
        except services.ManageError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{membership.user} is no longer a {membership.get_role_display().lower()} here.")
        return redirect(_members_url(membership.cohort))
    return render(request, "reflect/manage/members_confirm_remove.html", {"membership": membership})


@require_POST
def member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk, membership_pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
        return redirect(_members_url(membership.cohort))
    try:
        services.member_change_role(membership=membership, role=form.cleaned_data["role"])
    except services.ManageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{membership.user} is now a {membership.get_role_display().lower()}.")
    return redirect(_members_url(membership.cohort))


@require_POST
def assign_tutors(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_admin(request, pk)
    form = AssignTutorsForm(request.POST, cohort=cohort)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _members_page(request, cohort, assign_form=form, status=400)
    tutor = form.cleaned_data["tutor"]
    unassign = form.cleaned_data["action"] == AssignTutorsForm.UNASSIGN
    try:
        trainee_ids = form.cleaned_data["trainees"]
        n = services.tutors_assign(cohort=cohort, tutor=tutor, trainee_ids=trainee_ids, unassign=unassign)
    except services.ManageError as error:
        messages.error(request, str(error))
        return _members_page(request, cohort, assign_form=form, status=400)
    people = "1 trainee" if n == 1 else f"{n} trainees"
    if unassign:
        messages.success(request, f"{people} unassigned from {tutor.user}.")
    else:
        messages.success(request, f"{people} assigned to {tutor.user}.")
    return redirect(_members_url(cohort))


@require_http_methods(["GET", "POST"])
def member_move(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _get_membership(request, pk, membership_pk)
    cohort = membership.cohort
    if membership.role != Role.TRAINEE:
        messages.error(request, "Only trainees can be moved to another cohort.")
        return redirect(_members_url(cohort))
    targets = Cohort.objects.administered_by(request.user).active().exclude(pk=cohort.pk).select_related("programme")
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
