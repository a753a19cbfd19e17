"""Comment dialogue on entries, and the notifications page.

Every object is reached through a `visible_to` / `for_user` queryset, so anything a person may not
see answers 404. Writes go through reflect.feedback.services. With htmx the comment forms get back the
thread as a fragment (plus a status line for screen readers); without JavaScript they redirect to the entry.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reflect.drafts import services as drafts
from reflect.feedback import services
from reflect.feedback.forms import CommentForm
from reflect.feedback.models import Comment, Notification
from reflect.journal.models import JournalEntry

PAGE_SIZE = 20


def _get_entry(request: HttpRequest, entry_id: int) -> JournalEntry:
    return get_object_or_404(JournalEntry.objects.visible_to(request.user).select_related("author"), pk=entry_id)


def _get_comment(request: HttpRequest, pk: int, *, own: bool = False) -> Comment:
    """A comment this person may read (their own only, if `own`); 404 otherwise."""
    comments = Comment.objects.visible_to(request.user).select_related("entry__author", "author", "parent")
    if own:
        comments = comments.filter(author=request.user)
    return get_object_or_404(comments, pk=pk)


def _thread(request: HttpRequest, entry: JournalEntry, *, status: str = "", **extra) -> HttpResponse:
    """The comment thread as an htmx fragment, with `status` announced in the page's live region."""
    context = {
        "entry": entry,
        "is_author": entry.author_id == request.user.pk,
        "comments": services.comment_thread(entry_id=entry.pk, user=request.user),
        "status": status,
        **extra,
    }
    return render(request, "reflect/feedback/_thread_response.html", context)


def _done(request: HttpRequest, comment: Comment, note: str) -> HttpResponse:
    drafts.sent(request)
    if request.htmx:
        return _thread(request, comment.entry, status=note, focus_id=comment.pk)
    messages.success(request, note)
    return redirect(services.comment_url(comment))


def _refused(request: HttpRequest, entry: JournalEntry, form: CommentForm, *, action: str, **extra) -> HttpResponse:
    """The form comes back with its errors and the typed text. With htmx inside the thread
    (200 so that htmx swaps it in), otherwise as a page of its own (400)."""
    note = "Not saved: " + " ".join(e for errors in form.errors.values() for e in errors)
    if request.htmx:
        return _thread(request, entry, status=note, **extra)
    context = {"entry": entry, "form": form, "action": action, **extra}
    return render(request, "reflect/feedback/comment_form.html", context, status=400)


@require_POST
def comment_create(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry(request, entry_id)
    form = CommentForm(request.POST)
    draft = request.POST.get("action") == "draft"
    if form.is_valid():
        try:
            comment = services.comment_create(
                entry=entry, author=request.user, body=form.cleaned_data["body"], draft=draft
            )
        except services.CommentError as error:
            form.add_error(None, error.message)
        else:
            note = "Draft saved. Only you can see it until you post it." if draft else "Comment posted."
            return _done(request, comment, note)
    action = reverse("reflect:comment-create", kwargs={"entry_id": entry.pk})
    return _refused(request, entry, form, action=action, new_form=form)


@require_POST
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _get_comment(request, pk)
    form = CommentForm(request.POST, label="Reply")
    if form.is_valid():
        try:
            reply = services.comment_reply(parent=parent, author=request.user, body=form.cleaned_data["body"])
        except services.CommentError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, reply, "Reply posted.")
    top_id = parent.parent_id or parent.pk
    action = reverse("reflect:comment-reply", kwargs={"pk": top_id})
    return _refused(request, parent.entry, form, action=action, reply_form=form, reply_to=top_id)


@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment(request, pk, own=True)
    action = reverse("reflect:comment-edit", kwargs={"pk": comment.pk})
    if request.method == "GET":
        if not comment.can_edit(request.user):
            return _fixed(request, comment)
        form = CommentForm(initial={"body": comment.body}, label="Edit comment")
        if request.htmx:
            return render(request, "reflect/feedback/_comment_edit.html", {"comment": comment, "form": form})
        return render(
            request,
            "reflect/feedback/comment_form.html",
            {"entry": comment.entry, "form": form, "action": action, "editing": comment},
        )
    form = CommentForm(request.POST, label="Edit comment")
    if form.is_valid():
        try:
            comment = services.comment_edit(comment=comment, by=request.user, body=form.cleaned_data["body"])
        except services.CommentError as error:
            form.add_error(None, error.message)
        else:
            return _done(request, comment, "Draft updated." if comment.is_draft else "Comment updated.")
    return _refused(request, comment.entry, form, action=action, editing=comment, edit_form=form)


def _fixed(request: HttpRequest, comment: Comment) -> HttpResponse:
    note = services.EDIT_CLOSED
    if request.htmx:
        return _thread(request, comment.entry, status=note)
    messages.error(request, note)
    return redirect(services.comment_url(comment))


@require_POST
def comment_post(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _get_comment(request, pk, own=True)
    try:
        comment = services.comment_post_draft(comment=comment, by=request.user)
    except services.CommentError as error:
        if request.htmx:
            return _thread(request, comment.entry, status=error.message)
        messages.error(request, error.message)
        return redirect(services.comment_url(comment))
    return _done(request, comment, "Comment posted.")


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reflect/feedback/notification_list.html", {"page": page, "query": ""})


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A link from the notifications page: mark it read and go to the place it is about."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    url = services.notification_open(notification=notification)
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect("reflect:notification-list")
    return redirect(url)


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, "All notifications marked as read." if count else "You had no unread notifications.")
    return redirect("reflect:notification-list")
