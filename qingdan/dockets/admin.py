"""Dockets in the admin: read-only views under the managed scope. Changes go through the loop's pages.

Admin forms would bypass the state machine, the versions and the audit; so dockets, items
and campaigns are shown here for looking up, never edited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qingdan.dockets.models import Campaign, Docket, Item
from qingdan.units.admin_scoping import ScopedAdmin


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyScopedAdmin):
    list_display = ["name", "unit", "starts_on", "ends_on"]


@admin.register(Docket)
class DocketAdmin(ReadOnlyScopedAdmin):
    scope_field = "owner_unit"
    list_display = ["name", "kind", "source", "owner_unit", "published", "created_at"]
    list_filter = ["kind", "source", "published"]
    search_fields = ["name"]


@admin.register(Item)
class ItemAdmin(ReadOnlyScopedAdmin):
    scope_field = "lead_unit"
    list_display = ["docket", "number", "title", "lead_unit", "status", "grade", "due_on", "progress"]
    list_filter = ["status", "grade", "supervised"]
    search_fields = ["title"]
    show_full_result_count = False
    exclude = ["submissions"]
