"""Contact details never reach the logs."""

from __future__ import annotations

import logging

from qingdan.core.logging import RedactPersonalData, redact


def test_redact_phones_emails_and_id_numbers():
    text = "来电 13912345678，座机 0571-87654321，邮箱 zhang.san@example.cn，身份证 33010619900101123X"
    cleaned = redact(text)
    for secret in ("13912345678", "0571-87654321", "zhang.san@example.cn", "33010619900101123X"):
        assert secret not in cleaned
    assert cleaned.count("[redacted]") == 4
    assert "来电" in cleaned


def test_codes_that_merely_look_numeric_survive():
    # Division codes (12 digits) and tracking numbers must stay readable in logs.
    assert redact("unit 330106009001 item 2026112300001") == "unit 330106009001 item 2026112300001"


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "caller %s said %s", ("13912345678", "hi"), None)
    assert RedactPersonalData().filter(record)
    assert record.getMessage() == "caller [redacted] said hi"
