"""Log filters that keep personal data out of logs."""

from __future__ import annotations

import logging
import re

# Mainland mobile numbers, landlines with area code, e-mail addresses and 18-digit ID numbers.
_PATTERNS = [
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),
]


def redact(text: str) -> str:
    """Replace phone numbers, e-mail addresses and ID numbers with a marker."""
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactPersonalData(logging.Filter):
    """Rewrite each record's message so contact details never reach a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            return True
        record.msg = redact(message)
        record.args = None
        return True
