"""Materialised-path arithmetic shared by bulk imports (treebeard's own format: 4 base-36 chars a level)."""

from __future__ import annotations

from collections import Counter

from django.db.models import F

from qingdan.units.models import Unit

STEPLEN = Unit.steplen
ALPHABET = Unit.alphabet
_BASE = len(ALPHABET)


def encode_step(number: int) -> str:
    """Return the fixed-width path step for the n-th child (1-based), as treebeard writes it."""
    if number < 1 or number >= _BASE**STEPLEN:
        raise ValueError(f"child number {number} out of range")
    digits = []
    while number:
        number, rest = divmod(number, _BASE)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])


def decode_step(step: str) -> int:
    """Return the child number encoded in a path step."""
    return int(step, _BASE)


class PathAllocator:
    """Hand out the next free child path under any parent, given the paths that exist."""

    def __init__(self, existing_paths: list[str]) -> None:
        self._last: dict[str, int] = {}
        for path in existing_paths:
            parent, step = path[:-STEPLEN], decode_step(path[-STEPLEN:])
            if step > self._last.get(parent, 0):
                self._last[parent] = step

    def next_child(self, parent_path: str) -> str:
        """Return a new path under ``parent_path`` ('' for a new root)."""
        number = self._last.get(parent_path, 0) + 1
        self._last[parent_path] = number
        return parent_path + encode_step(number)


def units_bulk_add(new_units: list[Unit], gained: Counter[str], *, batch: int = 5000) -> None:
    """Insert units placed by a PathAllocator and bring every parent's ``numchild`` up to date.

    ``gained`` counts the new children under each parent path. New units take their count
    directly; parents that existed before get one UPDATE per distinct gain.
    """
    new_paths = {unit.path for unit in new_units}
    for unit in new_units:
        unit.numchild = gained.get(unit.path, 0)
    for start in range(0, len(new_units), batch):
        Unit.objects.bulk_create(new_units[start:start + batch], batch_size=batch)
    by_gain: dict[int, list[str]] = {}
    for path, count in gained.items():
        if path and path not in new_paths:
            by_gain.setdefault(count, []).append(path)
    for gain, paths in by_gain.items():
        for start in range(0, len(paths), batch):
            Unit.objects.filter(path__in=paths[start:start + batch]).update(numchild=F("numchild") + gain)
