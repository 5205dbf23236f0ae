"""The working-day calendar in the admin: every change goes through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qingdan.core.models import CalendarDay
from qingdan.units.admin_scoping import manage_scope
from qingdan.units.calendar import calendar_day_delete, calendar_day_set, calendar_day_stored, calendar_may_edit


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days; readable by every admin user, editable by a province's organizers."""

    list_display = ["date", "weekday", "kind", "name", "year"]
    list_filter = ["year", "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "year"]
    ordering = ["date"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return obj.date.strftime("%a")

    def _may_view(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or not manage_scope(request).is_empty))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_view(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_view(request) and calendar_may_edit(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        if change and "date" in form.changed_data:
            original = calendar_day_stored(obj.pk)
            calendar_day_delete(actor=request.user, date=original.date)
            obj.pk = None
        saved = calendar_day_set(actor=request.user, date=obj.date, kind=obj.kind, name=obj.name, year=obj.year)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        dates = list(queryset.values_list("date", flat=True))
        for date in dates:
            calendar_day_delete(actor=request.user, date=date)
