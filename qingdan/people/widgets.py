"""Form widgets about people: a text input for user names that suggests people as the reader types."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy


def person_picker(*, many: bool = False) -> forms.TextInput:
    """Return a text input that suggests people in the reader's scope by user name or display name (site.js).

    The value stays a typed user name, so the form works without script and the service's own
    check (``ledgers.selectors.staff_named``) still decides; the suggestions come from
    ``person_suggest``, which applies the reader's scope.
    """
    attrs = {"data-person-picker": reverse_lazy("person_suggest"), "autocomplete": "off"}
    if many:
        attrs["data-unit-many"] = ""  # several names, separated by 、 or ,: suggest for the last one
    return forms.TextInput(attrs=attrs)
