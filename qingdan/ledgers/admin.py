"""Ledgers in the admin: read-only look-ups under the managed scope; records are made through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingdan.ledgers.models import Liaison, ResearchTopic, StudySession, Visit
from qingdan.units.admin_scoping import ScopedAdmin


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StudySession)
class StudySessionAdmin(ReadOnlyScopedAdmin):
    list_display = ["starts_on", "unit", "kind", "topic", "duration", "duration_unit", "leadership"]
    list_filter = ["kind", "leadership", "red_site"]
    search_fields = ["topic"]


@admin.register(Liaison)
class LiaisonAdmin(ReadOnlyScopedAdmin):
    list_display = ["leader", "unit", "starts_on", "ends_on"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyScopedAdmin):
    list_display = ["visited_on", "unit", "visitor", "households", "enterprises", "solved_on_spot"]
    show_full_result_count = False


@admin.register(ResearchTopic)
class ResearchTopicAdmin(ReadOnlyScopedAdmin):
    list_display = ["title", "unit", "started_on"]
    search_fields = ["title"]
