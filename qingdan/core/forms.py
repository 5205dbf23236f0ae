"""Parse the calendar page's forms; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingdan.core.models import DayKind
from qingdan.core.params import BoundedDateField


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("name"), max_length=40)


class DeadlineCheckForm(forms.Form):
    start = BoundedDateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    n = forms.IntegerField(label=_("working days"), min_value=-366, max_value=366)
