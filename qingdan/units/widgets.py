"""Form widgets about units: a text input for unit codes that suggests units as the reader types."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy


def unit_picker(*, many: bool = False) -> forms.TextInput:
    """Return a text input that suggests units in the reader's scope by name or code (site.js).

    The value stays a typed code or name, so the form works without script; the suggestions come
    from ``workspace:unit_suggest``, which applies the reader's scope.
    """
    attrs = {"data-unit-picker": reverse_lazy("workspace:unit_suggest"), "autocomplete": "off"}
    if many:
        attrs["data-unit-many"] = ""  # several units, separated by 、 or ,: suggest for the last one
    return forms.TextInput(attrs=attrs)
