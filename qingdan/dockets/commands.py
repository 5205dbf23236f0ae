"""What the dockets commands share: finding the list named on the command line, in the actor's view."""

from __future__ import annotations

from qingdan.core.actors import Actor
from qingdan.core.errors import NotFound
from qingdan.dockets.models import Docket
from qingdan.dockets.selectors import docket_get_for_user
from qingdan.units.scopes import is_system


def docket_for(actor: Actor, pk: int) -> Docket:
    """Return the docket for a command: any for the system, else through the actor's scope."""
    if not is_system(actor):
        return docket_get_for_user(actor, pk=pk)
    docket = Docket.objects.select_related("owner_unit").filter(pk=pk).first()
    if docket is None:
        raise NotFound(f"No list {pk}.")
    return docket
