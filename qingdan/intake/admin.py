"""Submissions in the admin: read-only, under the same visibility as every other surface.

The ordinary scope would show reports against officials to the named unit's managers, so the
queryset comes from the intake selector, which applies the report rule.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qingdan.intake.models import Rating, Submission
from qingdan.intake.privacy import contact_for
from qingdan.intake.selectors import submission_queryset_for_user
from qingdan.units.admin_scoping import ScopedAdmin


class RatingInline(admin.TabularInline):
    """Every follow-up rating of the submission, as given (records are written by intake's services only)."""

    model = Rating
    fields = readonly_fields = ("at", "satisfaction", "solved", "reason", "unit", "recorded_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ScopedAdmin):
    list_display = ["tracking_code", "subject", "kind", "channel", "status", "unit", "created_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["tracking_code", "subject"]
    show_full_result_count = False
    fields = readonly_fields = ("tracking_code", "kind", "channel", "status", "subject", "text", "category", "unit",
                                "place_unit", "place_text", "contact", "reply", "replied_at", "answered_by", "rating",
                                "created_at")
    inlines = [RatingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return submission_queryset_for_user(request.user).select_related("unit")

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return submission_queryset_for_user(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # submissions come through the channels, which validate and audit them

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            # Computed per request on this request's own object: the admin instance is shared.
            obj.contact_shown = contact_for(request.user, obj)
        return obj

    @admin.display(description=_("contact"))
    def contact(self, obj: Submission) -> str:
        shown = getattr(obj, "contact_shown", {})
        return " · ".join(v for v in shown.values() if v) or "—"
