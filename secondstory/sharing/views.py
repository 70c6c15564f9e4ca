"""The Sharing page (Atom feeds and subscriptions), the feeds themselves, and the
customer-facing summary of a postmortem."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from secondstory.audit.record import record_restricted_read, record_token_use
from secondstory.postmortems.access import (
    postmortem_for_editor,
    postmortem_for_reader,
    signed_in_user,
)
from secondstory.postmortems.services import can_edit
from secondstory.sharing import services
from secondstory.sharing.atom import PostmortemFeed
from secondstory.sharing.jobs import digest_period
from secondstory.sharing.models import CustomerSummary, FeedToken, Subscription


def _page(request: HttpRequest, *, created: services.NewFeed | None = None, feed_error: str = "",
          subscription_error: str = "", status: int = 200) -> HttpResponse:  # fmt: skip
    user = signed_in_user(request)
    context = {
        "feeds": services.manageable_feeds(user),
        "subscriptions": services.subscriptions_of(user),
        "choices": services.scope_choices(),
        "selected": request.GET.get("subscribe", ""),
        "digest_period": _digest_period(),
        "created": created,
        "feed_error": feed_error,
        "subscription_error": subscription_error,
    }
    return render(request, "sharing/index.html", context, status=status)


def _digest_period() -> str:
    """The configured digest period for the page's note; a misconfiguration is reported by
    the digest job itself, the page falls back to the default."""
    try:
        return digest_period()
    except ValueError:
        return "weekly"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def create_feed(request: HttpRequest) -> HttpResponse:
    """Create a feed and show its address on the answer to this request, the only time it
    is shown (only its digest is stored)."""
    try:
        scope = services.parse_scope(request.POST.get("scope", ""))
    except services.ScopeError as error:
        return _page(request, feed_error=str(error), status=400)
    created = services.create_feed(created_by=signed_in_user(request), scope=scope)
    return _page(request, created=created)


@require_POST
def revoke_feed(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(FeedToken.objects.select_related("created_by"), pk=pk)
    if not services.may_manage(signed_in_user(request), token):
        raise Http404("No feed matches the given query.")
    services.revoke(token)
    messages.success(request, f"Revoked the feed of {token.scope_label} ({token.hint}…).")
    return redirect("sharing:index")


@login_not_required
@require_http_methods(["GET", "HEAD"])
def atom(request: HttpRequest, token: str) -> HttpResponse:
    """The Atom feed. The token is the credential: no sign-in, nothing kept by shared caches.
    Unknown tokens get 404, revoked ones 410 Gone, and a feed whose creator's account is
    no longer active 404."""
    found = services.find_feed(token)
    if found is None:
        raise Http404("No feed matches this address.")
    if found.revoked_at is None and not found.created_by.is_active:
        record_token_use("feed", found, refused="its creator is inactive", request=request)
        raise Http404("No feed matches this address.")
    if found.revoked_at is not None:
        record_token_use("feed", found, refused="revoked", request=request)
        return HttpResponse(
            "This feed has been revoked.\n", status=410, content_type="text/plain; charset=utf-8"
        )
    record_token_use("feed", found, request=request)
    services.touch(found, timezone.now())
    response = PostmortemFeed(found)(request)
    response["Cache-Control"] = "private, no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    try:
        scope = services.parse_scope(request.POST.get("scope", ""), allow_all=False)
    except services.ScopeError as error:
        return _page(request, subscription_error=str(error), status=400)
    subscription, created = services.subscribe(signed_in_user(request), scope)
    if created:
        messages.success(request, f"You now follow {subscription.scope_label}.")
    else:
        messages.info(request, f"You already follow {subscription.scope_label}.")
    return redirect("sharing:index")


@require_POST
def unsubscribe(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(
        Subscription.objects.select_related("team", "service", "tag"),
        pk=pk,
        user=signed_in_user(request),
    )
    subscription.delete()
    messages.success(request, f"You no longer follow {subscription.scope_label}.")
    return redirect("sharing:index")


@require_http_methods(["GET", "POST"])
def edit_customer_summary(request: HttpRequest, key: str) -> HttpResponse:
    """The editors' page of a postmortem's customer summary (404 unreadable, 403 read-only)."""
    postmortem = postmortem_for_editor(request, key)
    summary = CustomerSummary.objects.filter(postmortem=postmortem).first()
    text = summary.text if summary else services.CUSTOMER_SUMMARY_SKELETON
    error = ""
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            services.save_customer_summary(postmortem, text=text, by=signed_in_user(request))
        except ValueError as problem:
            error = str(problem)
        else:
            messages.success(request, "Saved the customer summary.")
            return redirect("sharing:customer_summary", key=postmortem.key)
    context = {"postmortem": postmortem, "summary": summary, "text": text, "error": error}
    return render(
        request, "sharing/customer_summary_edit.html", context, status=400 if error else 200
    )


@require_GET
def customer_summary(request: HttpRequest, key: str) -> HttpResponse:
    """The customer summary as a plain page, for everybody who may read the postmortem."""
    postmortem = postmortem_for_reader(request, key)
    summary = CustomerSummary.objects.filter(postmortem=postmortem).first()
    context = {
        "postmortem": postmortem,
        "summary": summary,
        "may_edit": can_edit(signed_in_user(request), postmortem),
    }
    return render(request, "sharing/customer_summary.html", context, status=200 if summary else 404)


@require_GET
def customer_summary_markdown(request: HttpRequest, key: str) -> HttpResponse:
    postmortem = postmortem_for_reader(request, key)
    summary = CustomerSummary.objects.filter(postmortem=postmortem).first()
    if summary is None:
        raise Http404("This postmortem has no customer summary yet.")
    record_restricted_read(request, postmortem, "customer summary download")
    body = services.customer_summary_markdown(postmortem, summary)
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{postmortem.key}-customer-summary.md"'
    return response
