"""Views, API handlers and admin modules stay thin: queries live in selectors, scope rules in units.scopes.

An AST walk over every surface module refuses ``Model.objects``, ``get_object_or_404`` and raw
path comparisons (``.path.startswith`` / ``path__startswith``): each is a query or a scope rule
written where no one looks for it. ``PENDING`` lists the sites not yet moved, with their count;
the test fails if a file gains one, and also if it loses one without the list being tightened.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "qingdan"
SURFACE_NAMES = ("views.py", "api.py", "admin.py", "desk.py")
SURFACE_SUFFIXES = ("_views.py", "_admin.py")
# file → how many sites are still to move into selectors (tighten as they move; never raise).
PENDING: dict[str, int] = {}


def surface_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts
                  and (p.name in SURFACE_NAMES or p.name.endswith(SURFACE_SUFFIXES)))


def offences(path: Path) -> list[str]:
    """Every query or raw scope comparison written in a surface module, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{node.lineno}: .objects")
        elif isinstance(node, ast.Name) and node.id == "get_object_or_404":
            found.append(f"{node.lineno}: get_object_or_404")
        elif (isinstance(node, ast.Attribute) and node.attr == "startswith"
              and isinstance(node.value, ast.Attribute) and node.value.attr.endswith("path")):
            found.append(f"{node.lineno}: .path.startswith")
        elif isinstance(node, ast.keyword) and node.arg and node.arg.endswith("path__startswith"):
            found.append(f"{node.lineno}: path__startswith")
    return found


def test_surfaces_hold_no_queries_and_no_scope_rules():
    report = {}
    for path in surface_modules():
        name = str(path.relative_to(ROOT))
        found = offences(path)
        if len(found) != PENDING.get(name, 0):
            report[name] = (PENDING.get(name, 0), found)
    assert not report, "\n".join(f"{name}: allowed {n}, found {found}" for name, (n, found) in report.items())


def test_the_walk_catches_each_kind_of_offence(tmp_path):
    probe = tmp_path / "views.py"
    probe.write_text("from django.shortcuts import get_object_or_404\n"
                     "def v(request, unit):\n"
                     "    Unit.objects.filter(pk=1)\n"
                     "    if unit.path.startswith(request.user.home_unit.path): pass\n"
                     "    return Unit.objects.filter(path__startswith=unit.path), get_object_or_404(Unit, pk=1)\n",
                     encoding="utf-8")
    kinds = {line.split(": ", 1)[1] for line in offences(probe)}
    assert kinds == {".objects", "get_object_or_404", ".path.startswith", "path__startswith"}
