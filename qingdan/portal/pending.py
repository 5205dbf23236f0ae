"""Pending uploads: keep a citizen's accepted files across a form sent back with errors.

The page says "what you filled in is kept"; that has to hold for photos too, which a browser
never puts back into a file input. So an accepted file is cleaned (``clean_attachment``: type
by content, metadata stripped), stored as a ``PendingUpload`` bound to the session, and the
form carries its token in a hidden field. Claims check the session's owner digest, so a token
is useless in any other browser. Rows expire after ``PENDING_TTL``; every store purges the
expired ones and ``qingdan purge-pending-uploads`` does it from cron.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from qingdan.intake.attachments import clean_attachment
from qingdan.portal.models import PendingUpload

PENDING_TTL = datetime.timedelta(hours=6)
SESSION_KEY = "qingdan.portal.upload_owner"
MAX_TOKENS = 10  # more tokens than files allowed is a forged form: read no further


def owner_for(session: SessionBase, *, create: bool = True) -> str:
    """Return the digest naming this session as owner, creating its secret on first use.

    With ``create=False`` a session that never kept a file gets "" (owning nothing) and is not
    written: an ordinary submission stores no session at all.
    """
    secret = session.get(SESSION_KEY)
    if not isinstance(secret, str) or len(secret) < 32:
        if not create:
            return ""
        secret = secrets.token_urlsafe(32)
        session[SESSION_KEY] = secret
    return hashlib.sha256(secret.encode()).hexdigest()


def _live(now: datetime.datetime | None = None):
    return PendingUpload.objects.filter(created_at__gte=(now or timezone.now()) - PENDING_TTL)


def pending_claim(*, owner: str, tokens: Iterable[str]) -> list[PendingUpload]:
    """Return the live uploads of ``owner`` among ``tokens``, in the order given; others' tokens are ignored."""
    wanted = [t for t in dict.fromkeys(tokens) if isinstance(t, str) and 0 < len(t) <= 64][:MAX_TOKENS]
    if not wanted or not owner:
        return []
    found = {u.token: u for u in _live().filter(owner=owner, token__in=wanted)}
    return [found[t] for t in wanted if t in found]


def pending_get(*, owner: str, token: str) -> PendingUpload | None:
    """Return one live upload of ``owner`` (for its thumbnail), or None."""
    claimed = pending_claim(owner=owner, tokens=[token])
    return claimed[0] if claimed else None


def pending_store(*, session: SessionBase, files: Sequence[tuple[str, bytes]], room: int) -> list[PendingUpload]:
    """Clean each file and keep the accepted ones (at most ``room``); refused files are simply not kept.

    The refusals themselves are reported by the submission's own validation, which sees the
    same files; this only decides what survives the round trip.
    """
    if not files or room <= 0:
        return []
    owner = owner_for(session)
    pending_purge()
    kept: list[PendingUpload] = []
    for name, data in files:
        if len(kept) >= room:
            break
        try:
            clean = clean_attachment(name, data)
        except ValueError:
            continue
        kept.append(PendingUpload.objects.create(
            token=secrets.token_urlsafe(24), owner=owner, name=clean.name, content_type=clean.content_type,
            data=clean.data,
        ))
    return kept


def pending_delete(*, uploads: Iterable[PendingUpload]) -> None:
    """Forget uploads once their submission has them, or when the citizen removes them."""
    pks = [u.pk for u in uploads]
    if pks:
        PendingUpload.objects.filter(pk__in=pks).delete()


def pending_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete expired uploads; return how many."""
    cutoff = (now or timezone.now()) - PENDING_TTL
    deleted, _by_model = PendingUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted
