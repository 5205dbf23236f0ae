"""Webhook endpoints for organizers, under the scope rule; changes go through the audited services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingdan.notifications import services
from qingdan.notifications.models import WebhookDelivery, WebhookEndpoint
from qingdan.notifications.selectors import webhook_endpoint_stored
from qingdan.units.admin_scoping import ScopedAdmin, manage_scope


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    kinds = forms.CharField(label=_("event kinds"), required=False,
                            help_text=_("Comma-separated, e.g. item.dispatched, item.overdue; empty sends every kind."))

    class Meta:
        model = WebhookEndpoint
        fields = ["unit", "name", "url", "kinds", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["kinds"] = ", ".join(self.instance.kinds or [])

    def clean_kinds(self) -> list[str]:
        return [kind.strip() for kind in self.cleaned_data.get("kinds", "").replace("，", ",").split(",")
                if kind.strip()]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "unit", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_by", "created_at"]
    actions = ["rotate_secret"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]  # narrower
        return ["unit", "name", "url", "kinds", "is_active", *(["created_by", "created_at"] if obj else [])]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["unit", "created_by", "created_at"] if obj else []

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            original = webhook_endpoint_stored(obj.pk)
            services.webhook_endpoint_update(actor=request.user, endpoint=original, name=data["name"],
                                             url=data["url"], kinds=data["kinds"], is_active=data["is_active"])
            return
        endpoint, secret = services.webhook_endpoint_create(
            actor=request.user, unit=data["unit"], name=data["name"], url=data["url"], kinds=data["kinds"],
            is_active=data["is_active"])
        obj.pk = endpoint.pk
        messages.warning(request, gettext("Signing secret (shown only now; give it to the receiving system): %(s)s")
                         % {"s": secret})

    @admin.action(description=_("Give new signing secrets"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet) -> None:
        for endpoint in queryset.select_related("unit"):
            secret = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
            messages.warning(request, gettext("New secret for %(name)s (shown only now): %(s)s")
                             % {"name": endpoint.name, "s": secret})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    """Read-only: what was sent where, and how each attempt went."""

    scope_field = "endpoint__unit"
    list_display = ["kind", "endpoint", "status", "attempts", "last_status_code", "next_try", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["endpoint", "delivery_id", "event_id", "kind", "body", "status", "attempts", "next_try",
                       "last_status_code", "last_error", "log", "created_at", "delivered_at"]

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        return manage_scope(request).contains(obj.endpoint.unit)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
