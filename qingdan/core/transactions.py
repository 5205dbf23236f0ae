"""The transaction of one action: the write pipeline's rule, in one place (docs/architecture.md)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")


def durable(inner: Callable[P, R]) -> Callable[P, R]:
    """Return the public, durable action around ``inner``, a step that joins its caller's transaction.

    For a service that a surface calls on its own and a bigger action (an importer) calls inside
    its transaction: the bigger one calls ``_x``, everyone else ``x = durable(_x)``, which raises
    if it is ever opened inside another atomic block instead of quietly becoming a savepoint.
    """

    @functools.wraps(inner)
    def action(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic(durable=True):
            return inner(*args, **kwargs)

    action.__name__ = action.__qualname__ = inner.__name__.lstrip("_")
    return action
