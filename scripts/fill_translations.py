"""Fill the zh_Hans catalogue from scripts/zh_hans*.json after `make messages` adds new strings.

Usage: python scripts/fill_translations.py  (then compilemessages). Reports strings still untranslated.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "qingdan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# One file per area (zh_hans.json, zh_hans_portal.json, …) so parallel work does not collide.
TABLE: dict[str, str] = {}
for _path in sorted((ROOT / "scripts").glob("zh_hans*.json")):
    TABLE.update(json.loads(_path.read_text(encoding="utf-8")))


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main() -> int:
    """Fill the .po file's msgstrs from scripts/zh_hans*.json and list what is left, without failing the build."""
    entries = PO.read_text(encoding="utf-8").split("\n\n")
    missing = []
    out = []
    for entry in entries:
        match = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not match or 'msgid ""\nmsgstr ""\n"Project' in entry or entry.startswith("# SOME"):
            out.append(entry)
            continue
        msgid = _unquote([ln for ln in match.group(1).splitlines() if ln.strip()])
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', entry, re.M)
        if msgid == "":
            out.append(entry)
            continue
        # A msgid under a pgettext context is keyed "context\u0004msgid" (gettext's own joint), so one
        # English word can take two Chinese ones; without such a key the plain msgid's entry serves.
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', entry, re.M)
        ctxt = _unquote([ln for ln in context.group(1).splitlines() if ln.strip()]) if context else ""
        joint = f"{ctxt}\u0004{msgid}" if context else ""
        translated = TABLE.get(joint) if joint else None
        translated = translated if translated is not None else TABLE.get(msgid)
        if translated is None:
            missing.append(msgid)
            out.append(entry)
            continue
        head = entry[: entry.index("msgstr")]
        # A filled entry is exact: drop makemessages' fuzzy guess (alone or beside python-format) and its old msgid.
        head = re.sub(r"^#, fuzzy\n", "", head, flags=re.M).replace("#, fuzzy, ", "#, ")
        head = re.sub(r"^#\| .*\n", "", head, flags=re.M)
        if plural:
            out.append(head + f"msgstr[0] {_quote(translated)}")
        else:
            out.append(head + f"msgstr {_quote(translated)}")
    text = "\n\n".join(out)
    placeholder = '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"'
    text = text.replace(placeholder, '"Plural-Forms: nplurals=1; plural=0;\\n"')
    PO.write_text(text, encoding="utf-8")
    for msgid in missing:
        print("untranslated:", msgid, file=sys.stderr)
    return 0  # untranslated strings show in English: a warning, not a reason to skip compiling


if __name__ == "__main__":
    sys.exit(main())
