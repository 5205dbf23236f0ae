"""Redact contact details from text staff typed before the public reads it."""

from django import template

from qingdan.core.logging import redact as redact_text

register = template.Library()


@register.filter
def redact(value: object) -> str:
    """Replace phone numbers, e-mail addresses and ID numbers (the output is still auto-escaped)."""
    return redact_text(str(value or ""))
