"""Portal fixtures: a clean rate-limit cache, small images, and a helper that posts the public form."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.intake.conftest import submit  # noqa: F401 - the same helper as the intake tests


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test: start each test at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def jpeg_bytes(color: str = "red") -> bytes:
    """Return a small JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def post_form(client, tree):
    """POST the public form with sensible defaults; return the response."""

    def post(meta: dict | None = None, **overrides):
        data = {"kind": "complaint", "subject": "路灯不亮", "text": "留下村口的路灯坏了一个月。", "anonymous": "on",
                "idempotency_key": "k" * 32, "action": "submit"}
        data.update(overrides)
        data = {key: value for key, value in data.items() if value is not None}
        return client.post("/submit/", data, **(meta or {}))

    return post


def receipt_code(client, response) -> str:
    """Follow a redirect to the receipt and return the code it shows (as displayed, with dashes)."""
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return re.search(r'id="tracking-code"[^>]*>([^<]+)<', page.content.decode()).group(1).strip()
