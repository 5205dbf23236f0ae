"""One scope vocabulary, enforced: subtree ranges and path prefixes are written only in units/scopes.py.

Everywhere else (services, selectors, importers, tasks, demo, surfaces) says ``within``,
``within_q``, ``is_inside`` or ``may``. An AST walk over all of qingdan/ refuses a call to
``subtree_bounds``, a ``.path.startswith`` test, and the path lookups that spell a subtree by
hand (``path__startswith``, a LIKE PostgreSQL cannot answer from the path's B-tree index, and
``path__gte``/``path__lte``/``path__gt``/``path__lt``/``path__range``), as keywords or as the
strings of ``Q(**{...})``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "qingdan"
# The one module of the vocabulary. The tree's own code (units/models.py, units/paths.py) computes
# paths and ancestors (``path__in``), never a subtree by range or prefix, so it needs no exemption.
ALLOWED = {"units/scopes.py"}
_LOOKUP = re.compile(r"(?:^|_)path__(?:startswith|gte|lte|gt|lt|range)$")


def modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts
                  and str(p.relative_to(ROOT)) not in ALLOWED)


def offences(path: Path) -> list[str]:
    """Every hand-written subtree range or path prefix comparison in a module, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Name) and node.func.id == "subtree_bounds")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "subtree_bounds")):
            found.append(f"{node.lineno}: subtree_bounds(")
        elif (isinstance(node, ast.Attribute) and node.attr == "startswith"
              and isinstance(node.value, ast.Attribute) and node.value.attr.endswith("path")):
            found.append(f"{node.lineno}: .path.startswith")
        elif isinstance(node, ast.keyword) and node.arg and _LOOKUP.search(node.arg):
            found.append(f"{node.lineno}: {node.arg.rsplit('__', 1)[1]} keyword")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _LOOKUP.search(node.value):
            found.append(f"{node.lineno}: {node.value.rsplit('__', 1)[1]} string")
    return found


def test_no_module_spells_a_subtree_by_hand():
    report = {str(path.relative_to(ROOT)): found for path in modules() if (found := offences(path))}
    assert not report, "use units.scopes (within, within_q, is_inside, may):\n" + "\n".join(
        f"{name}: {found}" for name, found in report.items())


def test_the_walk_covers_every_app_not_only_surfaces():
    names = {str(path.relative_to(ROOT)) for path in modules()}
    assert {"dockets/services/items.py", "ledgers/selectors.py", "supervision/running.py", "demo/services.py",
            "intake/importers.py", "people/audit_admin.py", "units/selectors.py"} <= names
    assert "units/scopes.py" not in names
    assert not any("migrations" in name for name in names)


def test_the_walk_catches_each_kind_of_offence(tmp_path):
    probe = tmp_path / "services.py"
    probe.write_text(
        "from qingdan.units import scopes\n"
        "from qingdan.units.scopes import subtree_bounds\n"
        "def f(unit, root, qs):\n"
        "    low, high = subtree_bounds(root.path)\n"
        "    scopes.subtree_bounds(root.path)\n"
        "    if unit.path.startswith(root.path): pass\n"
        "    if unit.lead_unit_path.startswith(root.path): pass\n"
        "    qs.filter(path__startswith=root.path)\n"
        "    qs.filter(unit__path__gte=low, unit__path__lte=high)\n"
        "    qs.filter(path__gt=low, unit_path__lt=high, path__range=(low, high))\n"
        "    return Q(**{f'{field}__path__gte': low, 'unit__path__lte': high})\n",
        encoding="utf-8")
    found = offences(probe)
    kinds = {line.split(": ", 1)[1] for line in found}
    assert kinds == {"subtree_bounds(", ".path.startswith", "startswith keyword", "gte keyword", "lte keyword",
                     "gt keyword", "lt keyword", "range keyword", "gte string", "lte string"}
    assert sum(k == "subtree_bounds(" for k in (line.split(": ", 1)[1] for line in found)) == 2
    assert sum(".path.startswith" in line for line in found) == 2


def test_the_walk_lets_the_vocabulary_and_ancestor_lookups_pass(tmp_path):
    probe = tmp_path / "selectors.py"
    probe.write_text(
        "from qingdan.units.scopes import is_inside, may, within, within_q\n"
        "def f(unit, root, qs, user):\n"
        "    qs.filter(path__in=['0001'], unit__path__in=['0001'])  # ancestors: exact paths\n"
        "    if code.startswith(prefix) and is_inside(unit, root) and may(user, unit): pass\n"
        "    return within(qs, root, 'unit').filter(within_q(root, 'lead_unit'), path='0001')\n",
        encoding="utf-8")
    assert offences(probe) == []
