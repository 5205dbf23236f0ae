"""Personal data encrypted at rest: a Fernet-encrypted text field and a blind index for lookups.

Keys come from FIELD_ENCRYPTION_KEY (comma-separated Fernet keys, newest first, so keys can be
rotated: old values still decrypt, new ones use the first key). Without it the key is derived
from SECRET_KEY, which is fine for the demo but ties the data to that secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(keys: str | None, secret: str) -> MultiFernet:
    if keys:
        try:
            return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
        except ValueError as exc:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be Fernet keys (urlsafe base64, 32 bytes)") from exc
    derived = base64.urlsafe_b64encode(hashlib.sha256(b"qingdan-field-key:" + secret.encode()).digest())
    return MultiFernet([Fernet(derived)])


def fernet() -> MultiFernet:
    """Return the cipher for the configured keys."""
    return _fernet(getattr(settings, "FIELD_ENCRYPTION_KEY", None), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """Encrypt a string for storage ('' stays '')."""
    if not value:
        return ""
    return _PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """Decrypt a stored value; refuse loudly when the key is wrong rather than show ciphertext."""
    if not stored:
        return ""
    if not stored.startswith(_PREFIX):
        return stored  # written before encryption was enabled
    try:
        return fernet().decrypt(stored[len(_PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured("Encrypted data cannot be read with the configured FIELD_ENCRYPTION_KEY") from exc


def blind_index(value: str) -> str:
    """Return a keyed digest of a normalised value, to find rows by phone without storing it in clear."""
    normalised = "".join(ch for ch in value if ch.isalnum()).lower()
    if not normalised:
        return ""
    key = hashlib.sha256(b"qingdan-blind-index:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; the application reads and writes plain text."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if isinstance(value, str) else value
