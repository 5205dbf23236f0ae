"""Open311 keys in the admin: listed under the scope rule, revoked through the audited service.

Keys are issued by ``qingdan open311 key create``, which shows the key once; the admin never
holds the key itself, only its prefix.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qingdan.open311.models import Open311Key
from qingdan.open311.services import key_revoke
from qingdan.units.admin_scoping import ScopedAdmin, revoke_selected


@admin.register(Open311Key)
class Open311KeyAdmin(ScopedAdmin):
    scope_field = "unit"
    list_display = ["name", "prefix", "unit", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "unit__code", "unit__name"]
    fields = readonly_fields = ("name", "prefix", "unit", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued by `qingdan open311 key create`, which shows the key once

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        """Revoke each selected live key through the service, so each revocation is audited."""
        revoke_selected(self, request, queryset.filter(revoked_at__isnull=True).select_related("unit"),
                        lambda key: key_revoke(actor=request.user, key=key), _("%(count)d key(s) revoked."))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
