"""Stored files: the one check every upload passes, the one model shape, the one download.

Every upload path (the public form, the intake API, docket evidence, ledger visits and study
sessions) calls ``clean_files`` (or ``clean_attachment`` for one file), so the checks below are
the only ones and hold everywhere: at most ``MAX_FILES`` of at most ``MAX_BYTES``, typed by
content (JPEG, PNG, WebP, GIF or PDF), pictures refused past ``QINGDAN_MAX_IMAGE_PIXELS`` before
they are decoded, then re-encoded so that EXIF, GPS and any trailing payload are dropped.

What is stored is a ``StoredFile``: each app's file model (``intake.Attachment``,
``dockets.Evidence``, ``ledgers.SessionPhoto``, ``ledgers.VisitPhoto``) inherits the file, its
sent name, type, size and digest from it and adds only its own foreign keys. ``download``
hands it out with ``harden_download``'s headers, never from ``MEDIA_URL``.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

from qingdan.core.downloads import harden_download, shown_inline

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class CleanFile:
    """An accepted upload: safe bytes, their type by content, and their digest."""

    name: str
    content_type: str
    data: bytes
    sha256: str


class FilesRefused(ValueError):
    """One or more uploads were refused; the message names every problem, for the person who sent them."""


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
        except ImageTooLarge as exc:
            raise ValueError(_too_large_message(display, exc.args[0])) from None
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
            raise ValueError(_("%(name)s is damaged or not really an image.") % {"name": display}) from None
        content_type = _IMAGE_FORMATS[kind]
    return CleanFile(name=display, content_type=content_type, data=clean, sha256=hashlib.sha256(clean).hexdigest())


def clean_files(files: Sequence[tuple[str, bytes]]) -> list[CleanFile]:
    """Check one upload's files before anything is written; refuse them all, naming every problem.

    Each service puts the ``FilesRefused`` message on its own field (``attachments``, ``files``,
    ``photos``), so a person sees the same words for the same file on every page and in the API.
    """
    if len(files) > MAX_FILES:
        raise FilesRefused(_("At most %(max)d files.") % {"max": MAX_FILES})
    clean, problems = [], []
    for name, data in files:
        try:
            clean.append(clean_attachment(name, data))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise FilesRefused(" ".join(problems))
    return clean


def read_uploads(uploads: Sequence[Any]) -> list[tuple[str, bytes]]:
    """Return a form's uploaded files as (name, bytes) for ``clean_files``, never holding one whole past the limit.

    At most one file more than allowed is read, so the check can say "too many"; of a file past
    ``MAX_BYTES`` only ``MAX_BYTES + 1`` bytes are read, enough for the check to say "too large".
    An empty file input sends a nameless, empty part: it is no file.
    """
    files = []
    for upload in list(uploads)[:MAX_FILES + 1]:
        if upload.size == 0 and not upload.name:
            continue
        files.append((upload.name or "file", upload.read(MAX_BYTES + 1)))
    return files


def _too_large_message(name: str, size: tuple[int, int] | None) -> str:
    limit = f"{max_pixels():,}"
    if size is None:
        return _("%(name)s has more than the %(limit)s pixels allowed: please send a smaller photo.") % {
            "name": name, "limit": limit}
    return _("%(name)s is %(width)d × %(height)d pixels, more than the %(limit)s pixels allowed: please send a "
             "smaller photo.") % {"name": name, "width": size[0], "height": size[1], "limit": limit}


# --- the stored file ----------------------------------------------------------------------------

def stored_file_path(instance: StoredFile, filename: str) -> str:
    """Store under the content digest, in the model's folder and month: the sent name is data only."""
    return f"{instance.upload_folder}/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class StoredFile(models.Model):
    """A file someone uploaded, checked by content (``clean_files``) before it was stored.

    Rows written before this base kept their file names (``attachments/…``, ``evidence/…``,
    ``visits/2026/05/…``); only new files go under ``stored_file_path``.
    """

    upload_folder: ClassVar[str] = "files"

    file = models.FileField(gettext_lazy("file"), upload_to=stored_file_path, max_length=200)
    original_name = models.CharField(gettext_lazy("original name"), max_length=200, blank=True)
    content_type = models.CharField(gettext_lazy("content type"), max_length=64)
    size = models.PositiveIntegerField(gettext_lazy("size in bytes"))
    sha256 = models.CharField(gettext_lazy("SHA-256 digest"), max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

    def download(self) -> FileResponse:
        """Return the file with the download headers: pictures shown in place, anything else saved."""
        response = FileResponse(self.file.open("rb"), content_type=self.content_type)
        # Even if a file slipped through the content check, it cannot run script in our origin.
        harden_download(response, filename=str(self), inline=shown_inline(self.content_type))
        return response


Stored = TypeVar("Stored", bound=StoredFile)


def stored_file_create(*, model: type[Stored], clean: CleanFile, **fields: Any) -> Stored:
    """Write one checked file and its row (inside the caller's transaction); ``fields`` are the model's own."""
    stored = model(original_name=clean.name[:200], content_type=clean.content_type, size=len(clean.data),
                   sha256=clean.sha256, **fields)
    stored.file.save(clean.sha256, ContentFile(clean.data), save=False)
    stored.save()
    return stored
