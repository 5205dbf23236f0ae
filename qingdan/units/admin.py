"""The units' admin: renames through unit_update (audited), never adds, since imports place units in the tree."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingdan.units import calendar_admin  # noqa: F401  (registers the working-day calendar's admin)
from qingdan.units.admin_scoping import ScopedAdmin
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_stored
from qingdan.units.services import _unit_update


@admin.register(Unit)
class UnitAdmin(ScopedAdmin):
    scope_field = ""
    list_display = ["name", "code", "kind", "level", "depth", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code"]
    fields = ["code", "name", "kind", "level", "is_active", "retired_at", "path"]
    readonly_fields = ["code", "level", "is_active", "retired_at", "path"]
    ordering = ["path"]
    show_full_result_count = False  # a count over the whole country on every page is wasted work

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # units are added by import, the API or the workspace, which place them in the tree

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        original = unit_stored(obj.pk)
        name, kind = obj.name, obj.kind
        _unit_update(actor=request.user, unit=original, name=name, kind=kind)
