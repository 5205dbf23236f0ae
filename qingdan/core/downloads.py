"""Headers every file we hand out carries: the browser keeps it away from our origin.

An uploaded file (evidence, a citizen's attachment, a visit photo) was checked by its content,
and an export is written by us, but either may still be opened by a browser at our address. So
every download is sandboxed (``Content-Security-Policy: sandbox``: a unique origin, no script,
no forms, nothing loaded), never sniffed into another type, never stored by a cache, and saved
rather than shown, except raster pictures, which the pages show in place.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

# The formats the upload checks accept as pictures; they cannot carry script, so they may be shown.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
DOWNLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'"


def shown_inline(content_type: str) -> bool:
    """Tell whether a file of this type may open in the browser rather than be saved."""
    return content_type.split(";")[0].strip().lower() in INLINE_TYPES


_Response = TypeVar("_Response", bound=HttpResponseBase)


def harden_download(response: _Response, *, filename: str | None = None, inline: bool = False) -> _Response:
    """Give a file response the download headers; ``inline`` only for pictures shown in pages."""
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["X-Content-Type-Options"] = "nosniff"
    disposition = content_disposition_header(not inline, filename) if filename else None
    response["Content-Disposition"] = disposition or ("inline" if inline else "attachment")
    patch_cache_control(response, private=True, no_store=True)
    return response
