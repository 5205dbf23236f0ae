"""Moved to ``qingdan.core.files`` (every app's uploads share it); the names stay importable here."""

from __future__ import annotations

from qingdan.core.files import (  # noqa: F401
    MAX_BYTES,
    MAX_FILES,
    CleanFile,
    ImageTooLarge,
    check_image_size,
    clean_attachment,
    clean_files,
    max_pixels,
)
