"""Reading multipart bodies with attachments: refuse what is too big before it fills memory or disk.

Django has no per-file limit. This handler skips a file as soon as it passes 10 MB (the rest
of the form is still read, so what the person typed is kept and the page can say which file
was too big), and the views refuse a whole body above QINGDAN_MAX_UPLOAD_BYTES from its
Content-Length before reading any of it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from qingdan.core.files import MAX_BYTES, MAX_FILES

FILE_FIELD = "attachments"
BODY_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


class SizeLimitHandler(FileUploadHandler):
    """Skip any file larger than the attachment limit and remember its name."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.too_big: list[str] = []
        self._received = 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > MAX_BYTES:
            self.too_big.append(self.file_name or "file")
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def body_too_large(request: HttpRequest) -> bool:
    """Tell from Content-Length, before reading, whether the body is over the upload limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.QINGDAN_MAX_UPLOAD_BYTES


def install_limits(request: HttpRequest) -> SizeLimitHandler:
    """Put the size check in front of Django's handlers; call before request.POST is read."""
    handler = SizeLimitHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


def read_files(request: HttpRequest, handler: SizeLimitHandler) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Return the uploaded (name, bytes) pairs (at most one more than allowed) and the names refused as too big."""
    files = []
    for upload in request.FILES.getlist(FILE_FIELD)[: MAX_FILES + 1]:
        if upload.size == 0 and not upload.name:
            continue  # an empty file input sends a nameless, empty part
        files.append((upload.name or "file", upload.read()))
    return files, list(handler.too_big)
