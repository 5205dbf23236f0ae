"""The staff inbox: list, open, mark read, mark all read, e-mail preference. Thin shells."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from qingdan.notifications import selectors, services

PAGE_SIZE = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    queryset = selectors.notification_list_for_user(request.user, unread_only=unread_only)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "unread_only": unread_only,
        "unread": selectors.notification_unread_count(request.user),
        "email_enabled": selectors.email_preference(request.user),
    })


def unread_count(request: HttpRequest) -> HttpResponse:
    """The nav badge, fetched by htmx after the page loads, so no page pays a query for it.

    Not behind login_required: once a session expires, the poll gets an empty badge rather than
    the login page swapped into the header.
    """
    if not request.user.is_authenticated:
        return HttpResponse("")
    return render(request, "notifications/_count.html",
                  {"unread": selectors.notification_unread_count(request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    row = services.notification_mark_read(user=request.user, notification_id=notification_id)
    if request.headers.get("HX-Request"):
        return render(request, "notifications/_row.html", {"n": row})
    return redirect("inbox:list")


def _local(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure())


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """GET shows the notification and changes nothing; POST marks it read and follows its link.

    A GET must not change state: a link prefetcher, a preview or a crawler of the browser history
    would otherwise mark the user's notifications read behind their back. The link is followed
    only to this site (never an open redirect).
    """
    if request.method != "POST":
        row = selectors.notification_get_for_user(request.user, notification_id=notification_id)
        return render(request, "notifications/detail.html", {"n": row, "follows": _local(request, row.url)})
    row = services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect(row.url) if _local(request, row.url) else redirect("inbox:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return redirect("inbox:list")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.notification_preference_set(user=request.user, email_enabled=request.POST.get("email") == "1")
    return redirect("inbox:list")
