"""Forms of the staff pages: parse and keep what was typed; the intake services decide.

Validation rules live in ``qingdan.intake.services`` (the same for every channel); these forms
only restrict the choices a page offers and carry the services' field errors to the fields.
"""

from __future__ import annotations

import re
import secrets

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import error_to_form
from qingdan.intake.choices import STAFF_CHANNELS, Channel, SubmissionKind, SubmissionStatus
from qingdan.intake.errors import SubmissionInvalid

# What a form renders (token_urlsafe(24)); anything else is ignored rather than trusted.
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
DESK_CHANNELS = [(value, label) for value, label in Channel.choices if value in STAFF_CHANNELS]


def new_idempotency_key() -> str:
    """Return a fresh key for one rendering of a form, so a double Enter files one submission."""
    return secrets.token_urlsafe(24)


class DeskForm(forms.Form):
    """One call, visit or slip typed in by an operator."""

    phone = forms.CharField(label=_("Caller's phone"), required=False)
    name = forms.CharField(label=_("Name"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SubmissionKind.choices, initial=SubmissionKind.COMPLAINT)
    channel = forms.ChoiceField(label=_("Channel"), choices=DESK_CHANNELS, initial=Channel.HOTLINE)
    subject = forms.CharField(label=_("Subject"), required=False)
    text = forms.CharField(label=_("What the caller says"), required=False, strip=False)
    unit_q = forms.CharField(label=_("Unit"), required=False)
    unit = forms.CharField(required=False)
    place_text = forms.CharField(label=_("Address or landmark"), required=False)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def key(self) -> str | None:
        """Return the form's idempotency key when well formed."""
        value = (self.data.get("idempotency_key") or "").strip()
        return value if IDEMPOTENCY_KEY.match(value) else None

    def add_service_errors(self, error: SubmissionInvalid) -> None:
        """Put each of the service's messages on its field."""
        error_to_form(self, error, aliases={"accused_unit": "unit", "latitude": "place_text",
                                            "longitude": "place_text"})


class SubmissionFilterForm(forms.Form):
    """Filters of the staff list; an unknown value is ignored rather than an error."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All statuses")), *SubmissionStatus.choices])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *SubmissionKind.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def value(self, name: str) -> str | int:
        """Return a cleaned filter value, or the empty default when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ("" if name != "page" else 1)
