"""Template filter to show a tracking code in groups of four, as receipts print it."""

from __future__ import annotations

from django import template

from qingdan.intake import codes

register = template.Library()


@register.filter
def code_display(code: str) -> str:
    """Return ``7KQM-2XHV-9RT4-8W`` for ``7KQM2XHV9RT48W``: easier to read aloud and compare."""
    return codes.display(code or "")
