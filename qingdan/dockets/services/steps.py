"""Take a step of the loop by its name: the one table the pages and the API both go through."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils.translation import gettext as _

from qingdan.core.actors import Actor
from qingdan.core.errors import NotFound
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Item
from qingdan.dockets.services import loop
from qingdan.units.models import Unit

STEPS = ("dispatch", "accept", "return", "progress", "stage_result", "request_closure", "leader_approve",
         "leader_send_back", "close", "send_back", "reopen", "urge", "supervise")


def item_take_step(*, actor: Actor, item: Item, step: str, version: int | None = None, text: str = "",
                   progress: int | None = None, measures: str | None = None, lead_unit: Unit | None = None,
                   deadline: datetime.date | None = None, files: Sequence[tuple[str, bytes]] = ()) -> Item:
    """Call the service of ``step`` with what it needs (``text`` is its reason, note or reply)."""
    if step == "dispatch":
        return loop.item_dispatch(actor=actor, item=item, version=version, lead_unit=lead_unit)
    if step == "accept":
        return loop.item_accept(actor=actor, item=item, version=version)
    if step == "return":
        return loop.item_return(actor=actor, item=item, reason=text, version=version)
    if step == "progress":
        return loop.item_progress(actor=actor, item=item, progress=progress, measures=measures, text=text,
                                  files=files, version=version)
    if step == "stage_result":
        return loop.item_stage_result(actor=actor, item=item, text=text, files=files, version=version)
    if step == "request_closure":
        return loop.item_request_closure(actor=actor, item=item, reply=text, files=files, version=version)
    if step == "leader_approve":
        return loop.item_leader_approve(actor=actor, item=item, text=text, version=version)
    if step == "leader_send_back":
        return loop.item_leader_send_back(actor=actor, item=item, reason=text, version=version)
    if step == "close":
        return loop.item_close(actor=actor, item=item, text=text, version=version)
    if step == "send_back":
        return loop.item_send_back(actor=actor, item=item, reason=text, version=version)
    if step == "reopen":
        return loop.item_reopen(actor=actor, item=item, reason=text, version=version)
    if step == "urge":
        return loop.item_urge(actor=actor, item=item, text=text)
    if step == "supervise":
        if deadline is None:
            raise ItemInvalid({"deadline": _("Give the supervision deadline.")})
        return loop.item_supervise(actor=actor, item=item, deadline=deadline, text=text, version=version)
    raise NotFound(_("No such step: %(steps)s.") % {"steps": ", ".join(STEPS)})
