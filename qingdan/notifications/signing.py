"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", sent as ``X-Qingdan-Signature``.

The header reads ``t=1733212800,v1=5f2b…`` (as Stripe's does). A receiver recomputes
``hex(hmac_sha256(secret, f"{t}.{raw_body}"))``, compares it in constant time with ``v1``, and
refuses a ``t`` more than a few minutes old, which stops replays of a captured request.
``verify`` below is that check, usable as a reference implementation.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Qingdan-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Return the hex HMAC-SHA256 of ``b"<timestamp>." + body`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """Return the header value for ``body``, stamped now unless ``timestamp`` is given."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return f"t={stamp},v1={signature(secret, stamp, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = TOLERANCE_SECONDS,
           now: float | None = None) -> bool:
    """Tell whether ``header`` is a valid, fresh signature of ``body`` under ``secret``."""
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        stamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance:
        return False
    expected = signature(secret, stamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in parts.get("v1", []))
