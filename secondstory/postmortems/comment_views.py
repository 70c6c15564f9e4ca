"""Comments: leave one (optionally about a section), resolve and reopen."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from secondstory.lib.concurrency import EditConflict
from secondstory.postmortems.access import (
    is_htmx,
    postmortem_for_reader,
    require,
    signed_in_user,
)
from secondstory.postmortems.anchored import accept_suggestion, add_anchored_comment
from secondstory.postmortems.models import Comment, Postmortem
from secondstory.postmortems.review_forms import CommentForm
from secondstory.postmortems.review_views import (
    detail_url,
    render_fragment,
)
from secondstory.postmortems.services import (
    can_comment,
    can_edit,
    can_resolve_comment,
    can_review,
    reopen_comment,
    resolve_comment,
)


def _comments_fragment(
    request: HttpRequest, postmortem: Postmortem, form: CommentForm | None = None
) -> HttpResponse:
    context = {"postmortem": postmortem, "comment_form": form}
    return render_fragment(request, "postmortems/_comments.html", context, target="comments")


@require_http_methods(["GET", "POST"])
def comment_add(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    require(can_comment(signed_in_user(request), postmortem))
    initial = {"section": request.GET.get("section", ""), "quote": request.GET.get("quote", "")}
    form = CommentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            comment = add_anchored_comment(
                postmortem,
                author=signed_in_user(request),
                body=data["body"],
                section=data["section"],
                quote=data["quote"],
                prefix=data["prefix"],
                suffix=data["suffix"],
                suggestion=data["suggestion"],
                requests_change=data["requests_change"]
                and can_review(signed_in_user(request), postmortem),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if comment.quote:
                # Shown in its section's margin: the whole page changes, not only the list.
                # (A query makes it a new page even when the comment was sent from that page.)
                target = reverse("postmortems:detail", args=[postmortem.key])
                target += f"?comment={comment.pk}#margin-comment-{comment.pk}"
                if is_htmx(request):
                    answer = HttpResponse(status=204)
                    answer["HX-Redirect"] = target
                    return answer
                return redirect(target)
            if is_htmx(request):
                return _comments_fragment(request, postmortem)
            return redirect(detail_url(postmortem, f"comment-{comment.pk}"))
    if is_htmx(request):
        return _comments_fragment(request, postmortem, form)
    return render(
        request, "postmortems/comments_form.html", {"postmortem": postmortem, "form": form}
    )


def _resolvable(request: HttpRequest, key: str, comment_id: int) -> tuple[Postmortem, Comment]:
    postmortem = postmortem_for_reader(request, key)
    comment = get_object_or_404(
        Comment.objects.select_related("author"), pk=comment_id, postmortem=postmortem
    )
    comment.postmortem = postmortem
    require(can_resolve_comment(signed_in_user(request), comment))
    return postmortem, comment


def _answer(request: HttpRequest, postmortem: Postmortem, comment: Comment) -> HttpResponse:
    if is_htmx(request):
        return _comments_fragment(request, postmortem)
    return redirect(detail_url(postmortem, f"comment-{comment.pk}"))


@require_POST
def comment_resolve(request: HttpRequest, key: str, comment_id: int) -> HttpResponse:
    postmortem, comment = _resolvable(request, key, comment_id)
    if comment.resolved_at is None:
        resolve_comment(comment, by=signed_in_user(request))
    return _answer(request, postmortem, comment)


@require_POST
def comment_reopen(request: HttpRequest, key: str, comment_id: int) -> HttpResponse:
    postmortem, comment = _resolvable(request, key, comment_id)
    reopen_comment(comment)
    return _answer(request, postmortem, comment)


def _add_errors(form: CommentForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


@require_POST
def comment_accept(request: HttpRequest, key: str, comment_id: int) -> HttpResponse:
    """Accept a suggested wording: the section is saved with it, the comment resolved."""
    postmortem = postmortem_for_reader(request, key)
    user = signed_in_user(request)
    require(can_edit(user, postmortem))
    comment = get_object_or_404(Comment, pk=comment_id, postmortem=postmortem)
    try:
        accept_suggestion(comment, by=user)
    except EditConflict:
        messages.error(
            request,
            "The passage was changed since the suggestion was made, so it was not applied: "
            "edit the section by hand, or resolve the comment.",
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, "Suggestion accepted: the section was saved with it.")
    return redirect(detail_url(postmortem, f"section-{comment.section}"))
