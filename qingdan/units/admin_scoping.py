"""The admin site under the same scope rule as every other surface.

Only organizers and administrators open the admin, and each sees only the rows whose unit
lies inside the subtrees they manage. Changes go through the domain services so that they
are checked and audited exactly as when made anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from qingdan.core.errors import ApplicationError
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import Scope, scope_for_user

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def manage_scope(request: HttpRequest) -> Scope:
    """Return the subtrees the requesting user manages."""
    return scope_for_user(request.user, roles=MANAGE_ROLES)


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose queryset, permissions and choices follow the user's managed scope."""

    scope_field = "unit"  # the unit foreign key to filter on; "" when the model is Unit itself

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return manage_scope(request).filter(super().get_queryset(request), self.scope_field)

    def _may_use(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff and not manage_scope(request).is_empty)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_use(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_use(request) and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_use(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history is kept: units retire, roles are revoked through their own action

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        """Tell whether one object lies in the user's managed scope."""
        unit = getattr(obj, self.scope_field) if self.scope_field else obj
        return unit is not None and manage_scope(request).contains(unit)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model._meta.label == "units.Unit":
            kwargs["queryset"] = manage_scope(request).filter(Unit.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def revoke_selected(model_admin: admin.ModelAdmin, request: HttpRequest, live: Iterable[Any],
                    revoke: Callable[[Any], Any], done_message: StrOrPromise) -> None:
    """An admin action's body for credentials (API tokens, Open311 keys): revoke each through its service.

    Each revocation stays audited and refused one by one; a refusal is shown with the credential's name
    and the rest go on. ``done_message`` takes ``%(count)d``.
    """
    done = 0
    for obj in live:
        try:
            revoke(obj)
            done += 1
        except ApplicationError as exc:
            model_admin.message_user(request, f"{obj.name}: {exc.message}", messages.ERROR)
    model_admin.message_user(request, done_message % {"count": done}, messages.SUCCESS)
