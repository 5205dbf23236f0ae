"""Check attachments by their content, not their name, and strip image metadata (GPS included).

Every upload path (the public form, the intake API, docket evidence, ledger visits and study
sessions) calls ``clean_attachment``, so the checks below are the only ones and hold everywhere.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
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


class ImageTooLarge(ValueError):
    """The header claims more pixels than ``QINGDAN_MAX_IMAGE_PIXELS``: refused before decoding."""


def max_pixels() -> int:
    """The largest image accepted, width × height (the setting ``QINGDAN_MAX_IMAGE_PIXELS``)."""
    return int(settings.QINGDAN_MAX_IMAGE_PIXELS)


def check_image_size(data: bytes) -> None:
    """Refuse an image whose header claims more than ``max_pixels()``, without decoding it.

    ``Image.open`` reads only the header. Pillow's own guard merely warns up to twice its limit,
    so 40–80 M pixel images used to be decoded; this check refuses at the limit. Pillow's guard
    is set to the same limit, so past twice it ``Image.open`` refuses by itself, here or anywhere.
    """
    limit = max_pixels()
    Image.MAX_IMAGE_PIXELS = limit  # Pillow's guard as a second line, at the same limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # decided here, not warned about
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
    except Image.DecompressionBombError:  # past twice the limit Pillow refuses in open() already
        raise ImageTooLarge(None) from None
    if width * height > limit:
        raise ImageTooLarge((width, height))


def _strip_image(data: bytes, kind: str) -> bytes:
    """Decode and re-encode the pixels only: EXIF, GPS, comments and any trailing payload are dropped."""
    check_image_size(data)
    with Image.open(io.BytesIO(data)) as probe:
        if probe.format != kind:
            raise ValueError("format mismatch")
        probe.verify()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        out = io.BytesIO()
        if kind == "JPEG":
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
        except ImageTooLarge as exc:
            raise ValueError(_too_large_message(display, exc.args[0])) from None
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
            raise ValueError(_("%(name)s is damaged or not really an image.") % {"name": display}) from None
        content_type = _IMAGE_FORMATS[kind]
    return CleanFile(name=display, content_type=content_type, data=clean, sha256=hashlib.sha256(clean).hexdigest())


def _too_large_message(name: str, size: tuple[int, int] | None) -> str:
    limit = f"{max_pixels():,}"
    if size is None:
        return _("%(name)s has more than the %(limit)s pixels allowed: please send a smaller photo.") % {
            "name": name, "limit": limit}
    return _("%(name)s is %(width)d × %(height)d pixels, more than the %(limit)s pixels allowed: please send a "
             "smaller photo.") % {"name": name, "width": size[0], "height": size[1], "limit": limit}
