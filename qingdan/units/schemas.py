"""API shapes for units: explicit fields only."""

from __future__ import annotations

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: int
    depth: int
    is_active: bool
    children: int
    parent_code: str | None = None
    path_names: str | None = None


class UnitCountOut(Schema):
    code: str
    subtree_units: int


class UnitPage(Schema):
    count: int
    items: list[UnitOut]


class UnitCreateIn(Schema):
    parent: str
    code: str
    name: str
    kind: str = "department"
    level: int | None = None


class UnitUpdateIn(Schema):
    name: str | None = None
    kind: str | None = None
