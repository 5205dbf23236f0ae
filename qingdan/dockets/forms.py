"""Forms of the staff pages: parse and keep what was typed; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, error_to_form
from qingdan.core.files import read_uploads
from qingdan.core.params import ID_MAX, BoundedDateField
from qingdan.dockets.choices import ChangeKind, DocketKind, DocketSource, Grade, ItemStatus, Priority
from qingdan.dockets.models import Docket
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_search_for_user
from qingdan.units.widgets import unit_picker

# <input type="date"> takes only ISO dates; the locale's 2026/12/10 leaves it empty, and saving
# such a form erased the deadline.
ISO_DATE = "%Y-%m-%d"


class ServiceErrorsMixin:
    """Put each of a service's field messages on its field, or on the form when it has none."""

    def add_service_errors(self, error: ApplicationError) -> None:
        error_to_form(self, error)


def resolve_unit(user: Any, docket: Docket, text: str) -> tuple[Unit | None, str]:
    """Find a unit by code or exact name inside the docket's unit and the user's scope."""
    text = (text or "").strip()
    if not text:
        return None, ""
    found = unit_search_for_user(user, query=text, limit=10, within=docket.owner_unit)
    exact = [u for u in found if u.code == text.upper()] or [u for u in found if u.name == text]
    if len(exact) == 1:
        return exact[0], ""
    if len(exact) > 1:
        return None, gettext("Several units are called %(name)s: give the code (%(codes)s).") % {
            "name": text, "codes": ", ".join(u.code for u in exact[:5])}
    return None, gettext("No unit %(text)s in this list's area.") % {"text": text}


class DocketForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("docket", "Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocketKind.choices)
    source = forms.ChoiceField(label=_("Source"), choices=DocketSource.choices)
    owner_unit = forms.CharField(label=_("Owner unit (code)"), widget=unit_picker())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_soon_days = forms.IntegerField(label=_("Yellow this many working days before the deadline"),
                                       initial=3, min_value=0, max_value=30)
    fallback_after_returns = forms.IntegerField(label=_("Parent unit takes over after returns"), initial=2,
                                                min_value=1, max_value=10)
    fallback_after_hours = forms.IntegerField(label=_("… or after hours without re-dispatch"), initial=72,
                                              min_value=1, max_value=24 * 60)
    verifier_unit = forms.CharField(label=_("Verifier unit (code; empty: the owner unit)"), required=False,
                                    max_length=200, widget=unit_picker())
    leader_review = forms.BooleanField(label=_("A leader of the lead unit reviews closure requests first"),
                                       required=False)


class DocketSettingsForm(ServiceErrorsMixin, forms.Form):
    """A list's settings after it is made: who verifies its items, and the leader's review."""

    verifier_unit = forms.CharField(
        label=_("Verifier unit (code or name; empty: the owner unit)"), required=False, max_length=200,
        widget=unit_picker(),
        help_text=_("Its supervisors sign off the items and decide extension requests (谁交办谁验收)."))
    leader_review = forms.BooleanField(label=_("A leader of the lead unit reviews closure requests first"),
                                       required=False)


class ItemForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=300)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    lead_unit = forms.CharField(label=_("Lead unit (code or name)"), widget=unit_picker())
    co_units = forms.CharField(label=_("Co-operating units (codes or names, separated by 、 or ,)"),
                               required=False, widget=unit_picker(many=True))
    commitment = forms.CharField(label=_("Public commitment"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    deadline_working_days = forms.IntegerField(label=_("… or working days from dispatch"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    category = forms.CharField(label=_("Category"), required=False, max_length=64)
    published = forms.BooleanField(label=_("Publish on the public pages"), required=False)
    submission = forms.CharField(required=False, widget=forms.HiddenInput)


class EditForm(ServiceErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Problem"), max_length=300)
    commitment = forms.CharField(label=_("Public commitment"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("Deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    category = forms.CharField(label=_("Category"), required=False, max_length=64)
    published = forms.BooleanField(label=_("Publish on the public pages"), required=False)


class ActionForm(forms.Form):
    """One step of the loop: which, the version the page showed, a text, and files."""

    version = forms.IntegerField(required=False)
    text = forms.CharField(required=False, strip=True)
    progress = forms.IntegerField(required=False, min_value=0, max_value=100)
    measures = forms.CharField(required=False)
    deadline = forms.DateField(required=False)
    lead_unit = forms.CharField(required=False)


class ChangeRequestForm(ServiceErrorsMixin, forms.Form):
    """An extension or change request (延期申请/变更申请) as the lead unit files it on the item page."""

    kind = forms.ChoiceField(label=_("Kind of request"), choices=ChangeKind.choices, initial=ChangeKind.EXTENSION)
    deadline = forms.DateField(label=_("New deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    commitment = forms.CharField(label=_("New public commitment"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = forms.CharField(label=_("New lead unit (code or name)"), required=False, max_length=200,
                                widget=unit_picker())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangeDecisionForm(forms.Form):
    """The issuer's answer to a request: approve or refuse, with a note (required to refuse)."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Decision note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    """Queue filters; an unknown value is ignored rather than an error."""

    view = forms.ChoiceField(choices=[("mine", _("My queue")), ("unit", _("My unit's queue")),
                                      ("all", _("All I can see"))], required=False)
    status = forms.ChoiceField(choices=[("", _("Any status")), ("open", _("Open")), *ItemStatus.choices],
                               required=False)
    grade = forms.ChoiceField(choices=[("", _("Any grade")), *Grade.choices], required=False)
    source = forms.ChoiceField(choices=[("", _("Any source")), *DocketSource.choices], required=False)
    category = forms.CharField(required=False, max_length=64)
    unit = forms.CharField(required=False, max_length=40)
    since = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    until = BoundedDateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    q = forms.CharField(required=False, max_length=100)
    docket = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    # Set by the dashboards' links (a figure lists the items it counts); kept as hidden fields.
    level = forms.ChoiceField(choices=[("", ""), ("top", _("Top-level items only"))], required=False)
    overdue = forms.BooleanField(required=False)
    own = forms.BooleanField(required=False)


def uploaded_files(request: Any, name: str = "files") -> list[tuple[str, bytes]]:
    """Read uploaded files as (name, bytes) for the service's one check (``core.files.read_uploads``)."""
    return read_uploads(request.FILES.getlist(name))
