"""Page forms of the ledgers: they parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.ledgers.choices import DurationUnit, ProblemRoute, SessionKind, WritingKind
from qingdan.people.widgets import person_picker
from qingdan.units.widgets import unit_picker


def _date() -> forms.DateInput:
    """A native date picker; ISO format is what <input type=date> reads and writes."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); contents are checked by the service."""

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class VisitForm(forms.Form):
    unit = forms.CharField(label=_("Where (township or village, by name or code)"), max_length=100,
                           widget=unit_picker())
    enterprise = forms.CharField(label=_("Enterprise visited (if any)"), max_length=200, required=False)
    visited_on = forms.DateField(label=_("Visited on"), widget=_date())
    households = forms.IntegerField(label=_("Households met"), min_value=0, initial=0)
    enterprises = forms.IntegerField(label=_("Enterprises met"), min_value=0, initial=0)
    heard = forms.CharField(label=_("What was heard"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    solved_on_spot = forms.IntegerField(label=_("Problems solved on the spot"), min_value=0, initial=0)
    problems = forms.CharField(label=_("Problems found (one per line)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    route = forms.ChoiceField(label=_("Send the problems"), initial=ProblemRoute.SUBMISSION,
                              choices=[(ProblemRoute.SUBMISSION, ProblemRoute.SUBMISSION.label),
                                       (ProblemRoute.ITEM, ProblemRoute.ITEM.label)])
    docket = forms.ChoiceField(label=_("List (for items)"), required=False)
    photos = MultipleFileField(label=_("Photos"), required=False,
                             widget=MultiFileInput(attrs={"accept": "image/*", "multiple": True}))

    def __init__(self, *args: Any, dockets: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The picker suggests from the reader's scope as they type; before that, the page's own list
        # (the leader's liaison units first) is offered, so a liaison outside the scope is there too.
        self.fields["unit"].widget.attrs["list"] = "id_unit-units"
        self.fields["docket"].choices = [("", "—")] + [(str(d.pk), d.name) for d in dockets]  # type: ignore[attr-defined]


class LiaisonForm(forms.Form):
    leader = forms.CharField(label=_("Leader (user name)"), max_length=150, widget=person_picker())
    unit = forms.CharField(label=_("Unit code"), max_length=32, widget=unit_picker())
    starts_on = forms.DateField(label=_("From"), widget=_date())
    ends_on = forms.DateField(label=_("To"), required=False, widget=_date())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_on = forms.DateField(label=_("From"), widget=_date())
    ends_on = forms.DateField(label=_("To"), required=False, widget=_date())
    duration = forms.DecimalField(label=_("Duration"), min_value=0, max_digits=6, decimal_places=1, initial=1)
    duration_unit = forms.ChoiceField(label=_("Duration in"), choices=DurationUnit.choices)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    red_site = forms.BooleanField(label=_("Red heritage site"), required=False)
    leadership = forms.BooleanField(label=_("Leadership team session"), required=False, initial=True)
    materials = forms.CharField(label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = MultipleFileField(label=_("Photos"), required=False,
                               widget=MultiFileInput(attrs={"accept": "image/*", "multiple": True}))


class TopicForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=32, widget=unit_picker())
    title = forms.CharField(label=_("Title"), max_length=200)
    owners = forms.CharField(label=_("Owners (user names, separated by commas)"), max_length=500,
                             widget=person_picker(many=True))
    started_on = forms.DateField(label=_("Started on"), widget=_date())


class WritingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WritingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    written_on = forms.DateField(label=_("Written on"), widget=_date())
    visits = forms.MultipleChoiceField(label=_("Visits it draws on"), required=False)

    def __init__(self, *args: Any, visits: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visits"].choices = [  # type: ignore[attr-defined]  # a MultipleChoiceField
            (str(v.pk), f"{v.visited_on} {v.unit.name}") for v in visits]
