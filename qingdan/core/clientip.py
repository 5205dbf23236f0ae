"""The client's address, the same for rate limits and login lock-out.

Behind the documented nginx every request comes from the proxy, so REMOTE_ADDR names the proxy,
not the person. The proxy's header (``QINGDAN_CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP`` or
``HTTP_X_FORWARDED_FOR``) is believed only when the request really comes from a trusted proxy
(``QINGDAN_TRUSTED_PROXIES``): anyone else could write whatever address they like into it.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_FALLBACK = "0.0.0.0"  # noqa: S104 - a placeholder address, nothing listens on it


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _trusted(address: str) -> bool:
    raw = getattr(settings, "QINGDAN_TRUSTED_PROXIES", ("127.0.0.1", "::1"))
    spec = tuple(raw.split(",")) if isinstance(raw, str) else tuple(raw)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(spec))


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str:
    """Return the client address: the proxy's header when a trusted proxy sent it, else REMOTE_ADDR.

    In X-Forwarded-For each proxy appends the address it saw, so the client is the right-most
    entry that is not itself a trusted proxy; entries to its left were written by the client.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    header = getattr(settings, "QINGDAN_CLIENT_IP_HEADER", "") or ""
    value = request.META.get(header, "") if header else ""
    if value and _trusted(remote):
        hops = [part.strip() for part in value.split(",")]
        for hop in reversed(hops):
            if not _valid(hop):
                break  # a garbled chain: believe none of it
            if not _trusted(hop):
                return hop
        else:
            return hops[0]  # every hop is one of our proxies: the left-most is the origin
    return remote or _FALLBACK
