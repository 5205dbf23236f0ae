"""Check attachments by their content, not their name, and strip image metadata (GPS included)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CleanFile:
    """An accepted attachment: safe bytes, their type by content, and their digest."""

    name: str
    content_type: str
    data: bytes
    sha256: str


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data.startswith(b"%PDF-"):
        return "PDF"
    return None


def _strip_image(data: bytes, kind: str) -> bytes:
    """Decode and re-encode the pixels only: EXIF, GPS, comments and any trailing payload are dropped."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(data)) as probe:
        if probe.format != kind:
            raise ValueError("format mismatch")
        probe.verify()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        out = io.BytesIO()
        if kind == "JPEG":
            from PIL import ImageOps

            image = ImageOps.exif_transpose(image)  # keep the photo upright once its EXIF is gone
            image.convert("RGB").save(out, "JPEG", quality=90)
        elif kind == "GIF":
            image.save(out, "GIF")
        else:
            image.save(out, kind)
        return out.getvalue()


def clean_attachment(name: str, data: bytes) -> CleanFile:
    """Return the cleaned file, or raise ValueError with a message for the person who sent it."""
    display = (name or "file").replace("\\", "/").rsplit("/", 1)[-1][:200]
    if len(data) > MAX_BYTES:
        raise ValueError(_("%(name)s is larger than 10 MB.") % {"name": display})
    if not data:
        raise ValueError(_("%(name)s is empty.") % {"name": display})
    kind = _sniff(data)
    if kind is None:
        raise ValueError(_("%(name)s is not an image (JPEG, PNG, WebP, GIF) or a PDF.") % {"name": display})
    if kind == "PDF":
        if b"%%EOF" not in data[-2048:]:
            raise ValueError(_("%(name)s is not a complete PDF file.") % {"name": display})
        clean, content_type = data, "application/pdf"
    else:
        try:
            clean = _strip_image(data, kind)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
            raise ValueError(_("%(name)s is damaged or not really an image.") % {"name": display}) from None
        content_type = _IMAGE_FORMATS[kind]
    return CleanFile(name=display, content_type=content_type, data=clean, sha256=hashlib.sha256(clean).hexdigest())
