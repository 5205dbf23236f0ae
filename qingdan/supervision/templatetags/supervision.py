"""Small template helpers for the figures pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """Look a key up in a dict (figures by name)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def pct(value: Any) -> str:
    """A rate in per cent, or a dash when there is nothing to measure."""
    return "—" if value is None else f"{value:.2f}%"
