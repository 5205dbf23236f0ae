"""Surveys in the admin: read-only look-ups under the managed scope (no answers, no phone digests)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingdan.surveys.models import Survey
from qingdan.units.admin_scoping import ScopedAdmin


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    list_display = ["title", "unit", "status", "identity", "created_at"]
    list_filter = ["status", "identity"]
    search_fields = ["title"]
    exclude = ["slug", "submission"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
