"""Background entry points for the audit trail."""

from __future__ import annotations

import logging

from django_tasks import task

from qingdan.audit.services import audit_seal, audit_verify

logger = logging.getLogger(__name__)


@task()
def audit_verify_task() -> dict:
    """Walk the chain off the request path (it reads every entry) and log any break loudly."""
    result = audit_verify()
    if not result.ok:
        logger.error("audit chain broken: %s", "; ".join(result.problems[:20]))
    return {"checked": result.checked, "problems": result.problems[:100]}


@task()
def audit_seal_task() -> int:
    """Chain the entries written since the last seal (writers seal by themselves while writes go on)."""
    return audit_seal()
