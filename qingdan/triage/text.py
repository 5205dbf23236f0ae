"""Text as triage reads it: simplified Chinese, no layout white space, a bounded length.

Every model (classifier, grouping, gazetteer) reads through ``normalise`` so that a message
pasted in traditional characters, indented with tabs or 100,000 characters long gives the
same kind of input as the training data (whose bodies had their white space removed).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# The classifier and the grouping index read the first characters only: a 100,000-character
# paste costs the same as a long message, and the opening states the problem.
MAX_CHARS = 3000
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_WORDISH = re.compile(r"[\w\u3400-\u9fff]")


@functools.lru_cache(maxsize=1)
def _t2s():  # the OpenCC converter has no type stubs
    import opencc  # noqa: PLC0415 (OpenCC's dictionaries load only when text is folded)

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified (OpenCC's t2s tables ship with the wheel)."""
    return _t2s().convert(text) if text else text


def _is_gb2312(text: str) -> bool:
    # Encoding is C-fast; converting every message with OpenCC cost as much as classifying it.
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def normalise(text: str, *, limit: int = MAX_CHARS) -> str:
    """Return text in NFKC, simplified characters, without white space, cut at ``limit`` characters.

    NFKC folds full-width Latin letters and digits (Ａ１区 → A1区) as the anonymised place
    names of the training data are written both ways.
    """
    if not text:
        return ""
    text = text[: limit * 2]  # white space is about to go: keep enough to fill the limit
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE.sub("", text)
    if _HAN.search(text) and not _is_gb2312(text):
        text = to_simplified(text)  # only traditional (or rare) characters fall outside GB2312
    return text[:limit]


def message_text(subject: str, text: str) -> str:
    """Join a subject and a body the way the models were trained: subject, full stop, body."""
    subject, text = normalise(subject or "", limit=200), normalise(text or "")
    if subject and text:
        return f"{subject}。{text}"
    return subject or text


def has_content(text: str) -> bool:
    """Whether the text holds a letter, digit or Chinese character (not only punctuation or emoji)."""
    return bool(_WORDISH.search(text or ""))
