from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qingdan.audit.services import audit_record
from qingdan.people import audit_admin  # noqa: F401  (registers the audit trail's admin, scoped like people's)
from qingdan.people.models import ApiToken, RoleAssignment, User
from qingdan.people.selectors import user_saved, user_saved_fields
from qingdan.people.services import role_grant, token_revoke
from qingdan.units.admin_scoping import ScopedAdmin, revoke_selected
from qingdan.units.permissions import may_grant_role, may_manage_user


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    scope_field = "home_unit"
    list_display = ["username", "display_name", "home_unit", "is_active", "last_login"]
    list_select_related = ["home_unit"]  # nullable, so Django's own select_related() would skip it
    list_filter = ["is_active"]
    search_fields = ["username", "display_name"]
    autocomplete_fields = ["home_unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("", {"fields": ["display_name", "email", "phone", "home_unit", "is_active"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "home_unit", "password1", "password2"]})]
    readonly_fields = ["last_login"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        users = super().get_queryset(request)  # ScopedAdmin: the managed scope, on home_unit
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        """The change page, the password form and every action on one account ask may_manage_user."""
        return may_manage_user(request.user, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        return {}  # no bulk changes to accounts: each one goes through its change page and the rule

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Save, and audit which fields changed (never the password hash itself)."""
        original = user_saved(pk=obj.pk) if change else obj
        if not may_manage_user(request.user, original):
            raise PermissionDenied
        if not request.user.is_superuser:  # privilege flags are set by superusers only, whatever was posted
            obj.is_superuser = original.is_superuser if change else False
            obj.is_staff = original.is_staff if change else False
        fields = [f for f in form.changed_data if f not in ("password", "password1", "password2")]
        before = {}
        if change:
            stored = user_saved_fields(pk=obj.pk, fields=fields)
            before = {f: str(stored.get(f)) for f in fields}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = {f: str(getattr(obj, f"{f}_id" if f == "home_unit" else f)) for f in fields}
            if "password" in form.changed_data or "password1" in form.changed_data:
                after["password"] = "changed"  # noqa: S105 - a marker that it changed, not a value
            audit_record(actor=request.user, action="people.user_updated" if change else "people.user_created",
                         obj=obj, unit_path=obj.home_unit.path if obj.home_unit else "", before=before or None,
                         after=after)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ["user", "role", "unit", "granted_at", "granted_by"]
    list_select_related = ["user", "unit", "granted_by"]  # granted_by is nullable: named, or a query per row
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]
    readonly_fields = ["granted_at", "granted_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return super().in_scope(request, obj) and may_grant_role(request.user, obj.unit, obj.role)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "unit" and field is not None and not request.user.is_superuser:
            from qingdan.units.choices import UnitKind

            field.queryset = field.queryset.exclude(kind=UnitKind.DISCIPLINE)
        return field

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        granted = role_grant(actor=request.user, user=obj.user, role=obj.role, unit=obj.unit)
        obj.pk = granted.pk


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin):
    scope_field = "user__home_unit"
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")  # ScopedAdmin: scoped on user__home_unit

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return may_manage_user(request.user, obj.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued by `qingdan token create`, which shows the key once

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        """Revoke each selected live token through the service: audited, refused by every process at once."""
        revoke_selected(self, request, queryset.filter(revoked_at__isnull=True).select_related("user"),
                        lambda token: token_revoke(actor=request.user, token=token), _("%(count)d token(s) revoked."))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
