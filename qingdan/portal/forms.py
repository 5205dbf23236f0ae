"""Forms of the public pages: they parse and keep what was typed; the intake services decide.

The rules (lengths, phone formats, files) live in ``qingdan.intake.services`` so every channel
applies the same ones; a form only turns the POST into typed values and carries the
service's field errors back to the fields, next to what the person wrote.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import error_to_form
from qingdan.intake.choices import Satisfaction, SubmissionKind
from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.forms import IDEMPOTENCY_KEY, new_idempotency_key

__all__ = ["InfoForm", "RatingForm", "SubmissionForm", "TrackForm", "new_idempotency_key"]
HONEYPOT = "website"


class SubmissionForm(forms.Form):
    """The public form. Field names match the keys of ``SubmissionInvalid.fields``."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=SubmissionKind.choices,
                             initial=SubmissionKind.COMPLAINT)
    subject = forms.CharField(label=_("Subject"), required=False)
    text = forms.CharField(label=_("What happened, and what would you like done?"), required=False, strip=False)
    anonymous = forms.BooleanField(label=_("Submit anonymously"), required=False)
    name = forms.CharField(label=_("Your name"), required=False)
    phone = forms.CharField(label=_("Mobile or telephone"), required=False)
    email = forms.CharField(label=_("E-mail"), required=False)
    place_q = forms.CharField(label=_("Where? Search for a street, village or community"), required=False)
    place = forms.CharField(required=False)
    place_text = forms.CharField(label=_("Address or landmark"), required=False)
    # Read from request.FILES by the view; declared so its errors sit beside the file input.
    attachments = forms.Field(label=_("Photos or PDF (up to 5 files, 10 MB each)"), required=False)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(required=False)  # the honeypot: people never see it, robots fill it

    def key(self) -> str | None:
        """Return the form's idempotency key when it is well formed (a bad one means no deduplication)."""
        value = (self.data.get("idempotency_key") or "").strip()
        return value if IDEMPOTENCY_KEY.match(value) else None

    def is_robot(self) -> bool:
        """Tell whether the hidden honeypot field was filled in."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def add_service_errors(self, error: SubmissionInvalid) -> None:
        """Put each of the service's messages on its field (unknown fields go to the top of the form)."""
        error_to_form(self, error, aliases={"unit": "place", "accused_unit": "place", "latitude": "place_text",
                                            "longitude": "place_text"})


class TrackForm(forms.Form):
    """Type a tracking code."""

    code = forms.CharField(label=_("Tracking code"), max_length=40)


class InfoForm(forms.Form):
    """Add information to an open case."""

    text = forms.CharField(label=_("Information to add"), required=False, strip=False)


class RatingForm(forms.Form):
    """Rate the answer once: the two follow-up questions of 12345 centres, and why."""

    rating = forms.ChoiceField(label=_("How satisfied are you with the answer?"), choices=Satisfaction.choices,
                               widget=forms.RadioSelect)
    solved = forms.TypedChoiceField(label=_("Was your problem solved?"),
                                    choices=[("yes", _("Solved")), ("no", _("Not solved"))],
                                    coerce=lambda value: value == "yes", widget=forms.RadioSelect,
                                    error_messages={"required": _("Say whether the problem was solved.")})
    reason = forms.CharField(label=_("What is still wrong? (optional; it goes to the unit with your rating)"),
                             required=False)
