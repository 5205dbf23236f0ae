"""Load the national administrative divisions into the unit tree, idempotently.

The files are the National Bureau of Statistics list in the layout of
``../shared/data/divisions/``: provinces.csv, cities.csv, areas.csv, streets.csv and
villages.csv (each may be gzipped). Re-importing renames what was renamed, adds what is new,
retires what vanished and never duplicates or deletes a unit.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.core.errors import ImportRejected, RowError
from qingdan.units.choices import LEVEL_BY_CODE_LENGTH, UnitKind
from qingdan.units.models import Unit
from qingdan.units.paths import PathAllocator, units_bulk_add

SHIPPED_DIR = Path(__file__).resolve().parent / "data" / "divisions"
# (file stem, column holding the parent's code)
LEVEL_FILES = [("provinces", None), ("cities", "provinceCode"), ("areas", "cityCode"),
               ("streets", "areaCode"), ("villages", "streetCode")]
BATCH = 5000


@dataclass(frozen=True)
class Division:
    """One row of the national list."""

    code: str
    name: str
    parent_code: str | None
    level: int
    source: str
    line: int


@dataclass
class DivisionImportResult:
    """What an import changed."""

    read: int = 0
    created: int = 0
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> dict[str, Any]:
        """Return counts and the first changed codes, as recorded in the audit log."""
        return {
            "read": self.read, "created": self.created, "unchanged": self.unchanged,
            "renamed": len(self.renamed), "retired": len(self.retired), "reactivated": len(self.reactivated),
            "renamed_codes": [c for c, _, _ in self.renamed[:500]], "retired_codes": self.retired[:500],
        }


def default_source() -> Path:
    """Return the directory configured in QINGDAN_DIVISIONS_DIR, else the files shipped with qingdan."""
    configured = getattr(settings, "QINGDAN_DIVISIONS_DIR", None)
    return Path(configured) if configured else SHIPPED_DIR


def _open(directory: Path, stem: str) -> tuple[io.TextIOBase, str] | None:
    plain, packed = directory / f"{stem}.csv", directory / f"{stem}.csv.gz"
    if plain.exists():
        return open(plain, encoding="utf-8-sig", newline=""), plain.name
    if packed.exists():
        return io.TextIOWrapper(gzip.open(packed), encoding="utf-8-sig", newline=""), packed.name
    return None


def read_divisions(directory: Path, *, province: str | None = None, depth: int = 5) -> list[Division]:
    """Read the level files, parents first, keeping one province's rows when ``province`` is set."""
    rows: list[Division] = []
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for index, (stem, parent_column) in enumerate(LEVEL_FILES[:depth], start=1):
        opened = _open(directory, stem)
        if opened is None:
            if index == 1:
                raise ImportRejected(errors=[RowError(0, "", f"{stem}.csv not found in {directory}")],
                                     summary="Division files not found; nothing was imported.")
            break
        handle, file_name = opened
        reader = csv.DictReader(handle)
        try:
            _read_level(reader, stem, index, parent_column, province, rows, errors, seen)
        except (UnicodeDecodeError, csv.Error, OSError, EOFError) as exc:  # not UTF-8, broken CSV or gzip
            raise ImportRejected(
                errors=[RowError(reader.line_num, "", f"{file_name} cannot be read as UTF-8 CSV: {exc}")],
                summary="Unreadable division file; nothing was imported.",
            ) from exc
        finally:
            handle.close()
    if errors:
        raise ImportRejected(errors=errors, summary=f"{len(errors)} bad row(s) in the division files; "
                                                     "nothing was imported.")
    if province and not rows:
        raise ImportRejected(errors=[RowError(0, "code", f"no province with code {province}")],
                             summary="Unknown province; nothing was imported.")
    return rows


def _read_level(reader: csv.DictReader, stem: str, index: int, parent_column: str | None, province: str | None,
                rows: list[Division], errors: list[RowError], seen: dict[str, str]) -> None:
    """Read one level file into ``rows``, appending a RowError per bad row."""
    needed = ["code", "name"] + ([parent_column] if parent_column else [])
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(errors=[RowError(1, c, f"{stem}.csv lacks this column") for c in missing],
                             summary="Division file in an unknown layout; nothing was imported.")
    for record in reader:
        line = reader.line_num  # the file's own line: DictReader skips blank lines
        code = (record["code"] or "").strip()
        if province and not code.startswith(province):
            continue
        name = (record["name"] or "").strip()
        parent = (record[parent_column] or "").strip() if parent_column else None
        source = f"{stem}.csv"
        if LEVEL_BY_CODE_LENGTH.get(len(code)) != index or not code.isdigit():
            errors.append(RowError(line, "code", f"{source}: {code!r} is not a level-{index} division code"))
            continue
        if not name:
            errors.append(RowError(line, "name", f"{source}: empty name"))
            continue
        if code in seen:
            errors.append(RowError(line, "code", f"{source}: duplicate code {code} (also in {seen[code]})"))
            continue
        if parent is not None and parent not in seen:
            errors.append(RowError(line, parent_column or "", f"{source}: unknown parent {parent}"))
            continue
        seen[code] = source
        rows.append(Division(code, name, parent, index, source, line))


def _iter_batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def divisions_import(*, actor: Actor, divisions: list[Division], province: str | None = None) -> DivisionImportResult:
    """Bring the region units in line with ``divisions`` in one transaction.

    Paths for new units are computed here and written with ``bulk_create``: treebeard's
    one-node-at-a-time ``add_child`` would take hours for the 665,276 units of the country.
    """
    result = DivisionImportResult(read=len(divisions))
    now = timezone.now()
    with transaction.atomic():
        existing: dict[str, tuple[int, str, str, bool]] = {}
        other_kinds: dict[str, str] = {}  # division-like codes held by departments and the like
        all_paths: list[str] = []
        for pk, code, path, name, active, kind in Unit.objects.values_list(
                "pk", "code", "path", "name", "is_active", "kind").iterator(chunk_size=20000):
            all_paths.append(path)
            if kind == UnitKind.REGION:
                existing[code] = (pk, path, name, active)
            elif code.isdigit():
                other_kinds[code] = kind
        taken = [RowError(d.line, "code", f"{d.source}: code {d.code} is held by a unit of kind "
                                          f"{other_kinds[d.code]!r}, not a region; change that unit first")
                 for d in divisions if d.code in other_kinds]
        if taken:
            raise ImportRejected(errors=taken, summary=f"{len(taken)} division code(s) already used by other "
                                                       "units; nothing was imported.")
        allocator = PathAllocator(all_paths)
        del all_paths
        path_of = {code: path for code, (_, path, _, _) in existing.items()}

        new_units: list[Unit] = []
        new_children: Counter[str] = Counter()
        renames: list[Unit] = []
        reactivate: list[int] = []
        for division in divisions:
            current = existing.get(division.code)
            if current is not None:
                pk, _path, name, active = current
                if name != division.name:
                    result.renamed.append((division.code, name, division.name))
                    renames.append(Unit(pk=pk, name=division.name, updated_at=now))
                if not active:
                    result.reactivated.append(division.code)
                    reactivate.append(pk)
                if name == division.name and active:
                    result.unchanged += 1
                continue
            parent_path = path_of[division.parent_code] if division.parent_code else ""
            path = allocator.next_child(parent_path)
            path_of[division.code] = path
            new_children[parent_path] += 1
            new_units.append(Unit(code=division.code, name=division.name, kind=UnitKind.REGION,
                                  level=division.level, path=path, depth=len(path) // Unit.steplen, numchild=0,
                                  created_at=now, updated_at=now))
        units_bulk_add(new_units, new_children, batch=BATCH)
        result.created = len(new_units)
        if renames:
            Unit.objects.bulk_update(renames, ["name", "updated_at"], batch_size=BATCH)
        if reactivate:
            for batch in _iter_batches(reactivate, BATCH):
                Unit.objects.filter(pk__in=batch).update(is_active=True, retired_at=None, updated_at=now)

        # Only the levels that were read can have vanished: a shallow import (--depth, or a missing
        # streets/villages file) says nothing about the levels below it.
        wanted = {d.code for d in divisions}
        deepest = max((d.level for d in divisions), default=0)
        vanished = [code for code, (_, _, _, active) in existing.items()
                    if active and code not in wanted and code.isdigit()
                    and LEVEL_BY_CODE_LENGTH.get(len(code), deepest + 1) <= deepest
                    and (province is None or code.startswith(province))]
        for batch in _iter_batches(vanished, BATCH):
            Unit.objects.filter(code__in=batch).update(is_active=False, retired_at=now, updated_at=now)
        result.retired = sorted(vanished)

        audit_record(actor=actor, action="units.divisions_imported", object_type="units.unit",
                     object_id=province or "all", after=result.summary())
    return result
