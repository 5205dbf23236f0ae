"""Draw docs/architecture.md's layers block from the import-linter contract, so the doc cannot drift.

The contract in pyproject.toml ([tool.importlinter], the layers list) is what `make lint` checks;
this script rewrites the block between the markers below with one line per layer, top first,
described by the first line of the app's package docstring (qingdan/<app>/__init__.py).

    .venv/bin/python scripts/draw_layers.py          # rewrite the block
    .venv/bin/python scripts/draw_layers.py --check  # exit 1 when the block is stale

tests/test_architecture.py runs the check.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- layers:begin (drawn by scripts/draw_layers.py from pyproject.toml; do not edit) -->"
END = "<!-- layers:end -->"


def layers(root: Path = ROOT) -> list[str]:
    """The contract's layers, top first: the order `lint-imports` enforces."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = (c for c in contracts if c["type"] == "layers")
    return list(contract["layers"])


def summary(package: str, root: Path = ROOT) -> str:
    """The first line of a package's docstring, without its full stop; an app without one is an error."""
    init = root.joinpath(*package.split(".")) / "__init__.py"
    docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    if not docstring:
        raise SystemExit(f"{init.relative_to(root)} has no docstring: say in one sentence what the app is for")
    return docstring.strip().splitlines()[0].rstrip(".")


def draw(root: Path = ROOT) -> str:
    """The block as the doc must hold it, markers included."""
    names = layers(root)
    width = max(len(name.rsplit(".", 1)[-1]) for name in names) + 2
    lines = [f"{name.rsplit('.', 1)[-1]:<{width}}{summary(name, root)}".rstrip() for name in names]
    return "\n".join([BEGIN, "```", *lines, "```", END])


def redraw(text: str, block: str) -> str:
    """``text`` with its layers block replaced by ``block``; the markers must be there exactly once."""
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise SystemExit(f"{DOC.relative_to(ROOT)} must hold the markers {BEGIN!r} and {END!r} once each")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return head + block + tail


def main(argv: list[str]) -> int:
    """Rewrite the doc, or with --check report whether it is stale (exit 1) without writing."""
    text = DOC.read_text(encoding="utf-8")
    new = redraw(text, draw())
    if "--check" in argv:
        if new != text:
            print(f"{DOC.relative_to(ROOT)}: the layers block is stale; run scripts/draw_layers.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
