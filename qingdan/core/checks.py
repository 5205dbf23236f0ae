"""Deployment checks (``qingdan check --deploy``): what a production set-up must not leave out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

W_FIELD_KEY = "qingdan.W001"


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Warn when personal data would be encrypted with a key derived from SECRET_KEY.

    Without FIELD_ENCRYPTION_KEY (qingdan.core.crypto) rotating SECRET_KEY makes every stored
    phone number and name unreadable, and one leaked secret opens both sessions and the data.
    The demo runs without it on purpose.
    """
    if getattr(settings, "DEMO", False) or getattr(settings, "FIELD_ENCRYPTION_KEY", None):
        return []
    return [Warning(
        "FIELD_ENCRYPTION_KEY is not set: personal data is encrypted with a key derived from SECRET_KEY.",
        hint="Set FIELD_ENCRYPTION_KEY to a Fernet key of its own (python -c \"from cryptography.fernet "
             "import Fernet; print(Fernet.generate_key().decode())\") and keep it stable.",
        id=W_FIELD_KEY,
    )]
