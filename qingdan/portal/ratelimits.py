"""Rate limits for the public pages, counted in the cache by django-ratelimit.

Counters live only in the cache, under a SHA-256 of the group, the window and the value, and
expire with their window: no IP address and no phone number is ever written to the database
or a log (a 举报 must leave no trace of who sent it). Limits are settings so a deployment, or
a test, can tighten them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from qingdan.core.clientip import client_ip
from qingdan.core.crypto import blind_index

__all__ = ["client_ip"]  # re-exported: other modules import it from here


def _exceeded(request: HttpRequest, *, group: str, value: str, rate: str) -> bool:
    usage = get_usage(request, group=group, key=lambda _group, _request: value, rate=rate, increment=True)
    return bool(usage and usage["should_limit"])


def submit_limited(request: HttpRequest, *, phone: str = "") -> bool:
    """Count one submission attempt from this client (and this phone); tell whether it is one too many."""
    over_ip = _exceeded(request, group="portal.submit.ip", value=client_ip(request),
                        rate=settings.QINGDAN_PORTAL_RATE_IP)
    digest = blind_index(phone) if phone else ""
    over_phone = bool(digest) and _exceeded(request, group="portal.submit.phone", value=digest,
                                            rate=settings.QINGDAN_PORTAL_RATE_PHONE)
    return over_ip or over_phone


def track_limited(request: HttpRequest) -> bool:
    """Count one tracking lookup or follow-up from this client; tell whether it is one too many."""
    return _exceeded(request, group="portal.track.ip", value=client_ip(request), rate=settings.QINGDAN_TRACK_RATE_IP)


def places_limited(request: HttpRequest) -> bool:
    """Count one place search from this client (live suggestions send one per pause in typing)."""
    return _exceeded(request, group="portal.places.ip", value=client_ip(request),
                     rate=settings.QINGDAN_PLACES_RATE_IP)
