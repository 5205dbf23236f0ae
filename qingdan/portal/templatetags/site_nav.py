"""The site navigation's rights: a link shows only when the page behind it would open for this user.

Each right is the very check the linked view makes (the figure scope for the dashboard, the desk
scope for the desk, any scope for the ledgers), so the navigation and the views cannot disagree.
It lives in portal because portal sits above every app whose pages the navigation links to.
Scopes are cached on the user for the request, so a page that already read them pays nothing.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


def nav_rights_for(user: Any) -> dict[str, bool]:
    """Return which of the staff navigation's links ``user`` may follow."""
    if not getattr(user, "is_authenticated", False):
        return {}
    from qingdan.intake.desk import desk_allowed
    from qingdan.supervision.selectors import figure_scope
    from qingdan.units.scopes import scope_for_user

    scoped = not scope_for_user(user).is_empty
    return {
        "items": True, "lists": True, "submissions": True, "surveys": True, "inbox": True,
        "ledgers": scoped, "dashboard": not figure_scope(user).is_empty, "desk": desk_allowed(user),
        "admin": bool(user.is_staff and user.is_active),
    }


@register.simple_tag(takes_context=True)
def nav_rights(context: template.Context) -> dict[str, bool]:
    """``{% nav_rights as may %}``: the current user's rights, computed once per render."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    cached = getattr(request, "_qingdan_nav_rights", None) if request is not None else None
    if cached is None:
        cached = nav_rights_for(user)
        if request is not None:
            request._qingdan_nav_rights = cached
    return cached
