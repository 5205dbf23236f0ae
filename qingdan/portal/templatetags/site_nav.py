"""The site navigation's rights: a link shows only when the page behind it would open for this user.

Each right is the very check the linked view makes (the figure scope for the dashboard, the desk
scope for the desk, any scope for the ledgers), so the navigation and the views cannot disagree.
It lives in portal because portal sits above every app whose pages the navigation links to.
Scopes are cached on the user for the request, so a page that already read them pays nothing.
"""

from __future__ import annotations

from typing import Any

from django import template

from qingdan.intake.desk import desk_allowed
from qingdan.supervision.selectors import figure_scope
from qingdan.units.scopes import scope_for_user

register = template.Library()


class NavRights:
    """Which of the staff navigation's links a user may follow, each read only when a page asks.

    Lazy so a page pays only for the links it shows (the desk link is in the desk's pages only).
    """

    def __init__(self, user: Any) -> None:
        self.user = user
        self._known: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._known:
            check = getattr(self, f"_{name}", None)
            if check is None:
                raise KeyError(name)
            self._known[name] = bool(getattr(self.user, "is_authenticated", False) and check())
        return self._known[name]

    def _ledgers(self) -> bool:
        return not scope_for_user(self.user).is_empty

    def _dashboard(self) -> bool:
        return not figure_scope(self.user).is_empty

    def _desk(self) -> bool:
        return desk_allowed(self.user)

    def _admin(self) -> bool:
        return bool(self.user.is_staff and self.user.is_active)


def nav_rights_for(user: Any) -> NavRights:
    """Return the navigation rights of ``user`` (see ``NavRights``)."""
    return NavRights(user)


@register.simple_tag(takes_context=True)
def nav_rights(context: template.Context) -> NavRights:
    """``{% nav_rights as may %}``: the current user's rights, computed once per render."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    cached = getattr(request, "_qingdan_nav_rights", None) if request is not None else None
    if cached is None:
        cached = nav_rights_for(user)
        if request is not None:
            request._qingdan_nav_rights = cached
    return cached
