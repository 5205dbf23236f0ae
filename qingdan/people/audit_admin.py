from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from qingdan.audit.models import AuditEntry
from qingdan.units.admin_scoping import ScopedAdmin, manage_scope


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    """Read-only; scoped by where in the tree the change happened."""

    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor_label"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        entries = admin.ModelAdmin.get_queryset(self, request)  # filtered by unit_path, not a unit key
        return manage_scope(request).filter(entries, path_field="unit_path")

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return manage_scope(request).contains_path(obj.unit_path) if obj.unit_path else manage_scope(request).is_global

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
