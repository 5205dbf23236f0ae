"""Every msgid of the zh_Hans catalogue is translated, and none is left fuzzy (issue 17).

makemessages adds new strings untranslated and may guess (``#, fuzzy``) from an old one; the
compiled catalogue skips fuzzy entries, so either shows English on a Chinese page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "qingdan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _text(block: str) -> str:
    return "".join(json.loads(line) for line in re.findall(r'^\s*(".*")\s*$', block, re.M))


def untranslated(po: str) -> list[str]:
    """Return the msgids (with their context, if any) whose translation is empty or fuzzy."""
    missing = []
    for entry in po.split("\n\n"):
        found = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not found:
            continue
        msgid = _text(found.group(1))
        if not msgid:
            continue  # the header
        context = re.search(r'^msgctxt ((?:".*"\n?)+)', entry, re.M)
        label = f"{_text(context.group(1))}|{msgid}" if context else msgid
        strings = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', entry, re.M)
        if "#, fuzzy" in entry or "fuzzy," in entry or not strings or any(not _text(s) for s in strings):
            missing.append(label)
    return missing


def test_the_check_finds_empty_and_fuzzy_entries():
    po = ('msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n\n'
          'msgid "Open"\nmsgstr "打开"\n\n'
          'msgctxt "survey status"\nmsgid "Open"\nmsgstr ""\n\n'
          '#, fuzzy\nmsgid "Close"\nmsgstr "关闭"\n\n'
          'msgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\n')
    assert untranslated(po) == ["survey status|Open", "Close", "one"]


def test_no_msgid_is_left_untranslated():
    assert untranslated(PO.read_text(encoding="utf-8")) == []
