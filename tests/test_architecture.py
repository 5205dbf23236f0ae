"""The layers of docs/architecture.md hold: an app imports only the apps below it (import-linter).

The doc's layers block is drawn from the same contract (scripts/draw_layers.py), so it cannot drift.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
_spec = importlib.util.spec_from_file_location("draw_layers", ROOT / "scripts" / "draw_layers.py")
draw_layers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(draw_layers)


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env,  # noqa: S603 (our own tool)
                          capture_output=True, text=True, timeout=300)


def test_the_layers_contract_is_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 kept, 0 broken" in result.stdout


def test_a_back_import_breaks_the_contract(tmp_path):
    """The contract would catch core importing an app above it (here: people)."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "qingdan", copy / "qingdan", ignore=shutil.ignore_patterns("data", "locale", "static",
                                                                                     "templates", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    probe = copy / "qingdan" / "core" / "probe.py"
    probe.write_text("from qingdan.people.models import User  # noqa\n", encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "qingdan.core.probe -> qingdan.people.models" in result.stdout


def test_the_docs_layers_block_is_drawn_from_the_contract():
    """docs/architecture.md shows exactly the contract's layers, top first, each with its app's docstring."""
    text = draw_layers.DOC.read_text(encoding="utf-8")
    assert draw_layers.redraw(text, draw_layers.draw()) == text, "run .venv/bin/python scripts/draw_layers.py"
    assert draw_layers.main(["--check"]) == 0
    drawn = [line.split()[0] for line in draw_layers.draw().splitlines()[2:-2]]
    assert drawn == [name.removeprefix("qingdan.") for name in draw_layers.layers()]
    assert drawn[0] == "api" and drawn[-1] == "core"


def _copy_for_drawing(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    for layer in draw_layers.layers():
        init = ROOT.joinpath(*layer.split(".")) / "__init__.py"
        target = copy.joinpath(*layer.split(".")) / "__init__.py"
        target.parent.mkdir(parents=True)
        target.write_text(init.read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_a_reordered_contract_makes_the_doc_stale(tmp_path):
    """Moving a layer in pyproject.toml changes the drawing, so the doc's unchanged block no longer matches."""
    copy = _copy_for_drawing(tmp_path)
    pyproject = copy / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '    "qingdan.audit",\n    "qingdan.core",' in text
    pyproject.write_text(text.replace('    "qingdan.audit",\n    "qingdan.core",',
                                      '    "qingdan.core",\n    "qingdan.audit",'), encoding="utf-8")
    doc = draw_layers.DOC.read_text(encoding="utf-8")
    assert draw_layers.redraw(doc, draw_layers.draw(copy)) != doc
    assert draw_layers.draw(copy).splitlines()[-3].startswith("audit ")


def test_an_app_without_a_package_docstring_cannot_be_drawn(tmp_path):
    """Each layer's line is its package docstring: a new app must say what it is for before it is drawn."""
    copy = _copy_for_drawing(tmp_path)
    (copy / "qingdan" / "triage" / "__init__.py").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"qingdan/triage/__init__.py has no docstring"):
        draw_layers.draw(copy)


def test_a_doc_without_the_markers_is_refused():
    with pytest.raises(SystemExit, match="must hold the markers"):
        draw_layers.redraw("# Architecture\n", draw_layers.draw())
