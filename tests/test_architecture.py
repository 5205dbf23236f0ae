"""The layers of docs/architecture.md hold: an app imports only the apps below it (import-linter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


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
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "qingdan", copy / "qingdan", ignore=shutil.ignore_patterns("data", "locale", "static",
                                                                                     "templates", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    probe = copy / "qingdan" / "core" / "probe.py"
    probe.write_text("from qingdan.people.models import User  # noqa\n", encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "qingdan.core.probe -> qingdan.people.models" in result.stdout
