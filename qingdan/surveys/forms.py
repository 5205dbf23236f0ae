"""Page forms of surveys: parse only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingdan.surveys.choices import Identity, QuestionKind
from qingdan.units.widgets import unit_picker


class SurveyForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=32, widget=unit_picker())
    title = forms.CharField(label=_("Title"), max_length=200)
    intro = forms.CharField(label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    identity = forms.ChoiceField(label=_("Respondents counted by"), choices=Identity.choices)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=pgettext_lazy("survey", "Question"), max_length=300)
    choices = forms.CharField(label=_("Choices, one per line; end a good one with *"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    scale_max = forms.IntegerField(label=_("Scale from 1 to"), min_value=2, max_value=10, initial=5)
    good_from = forms.IntegerField(label=_("Scale: good from"), required=False, min_value=1, max_value=10)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def parsed_choices(self) -> tuple[list[str], list[int]]:
        """Return the choice labels and the indexes marked good with a trailing *."""
        labels: list[str] = []
        good: list[int] = []
        for line in self.cleaned_data["choices"].splitlines():
            line = line.strip()
            if not line:
                continue
            if line.endswith(("*", "＊")):
                good.append(len(labels))
                line = line[:-1].strip()
            labels.append(line)
        return labels, good


class TokensForm(forms.Form):
    count = forms.IntegerField(label=_("How many invitations"), min_value=1, max_value=10_000, initial=10)
    unit = forms.CharField(label=_("For unit (code, optional)"), max_length=32, required=False,
                           widget=unit_picker())
