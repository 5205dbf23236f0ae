"""QR codes for questionnaire links, drawn locally with segno (no network, no third-party service)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> bytes:
    """Return an SVG QR code of the URL (error correction M, a quiet zone of 4 modules)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", scale=6, border=4)
    return buffer.getvalue()


def qr_png(url: str, *, scale: int = 12) -> bytes:
    """Return a PNG QR code of the URL, large enough to print (about 5 cm at 300 dpi) or paste into a notice."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
