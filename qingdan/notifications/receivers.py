"""Turn other apps' signals into notices (those apps sit below notifications and never import it)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qingdan.notifications.services import notify
from qingdan.units.signals import rights_changed


@receiver(rights_changed, dispatch_uid="notifications.rights_changed")
def on_rights_changed(sender: Any, *, recipients: list[Any], kind: str, title: str, body: str, unit: Any,
                      actor_name: str, **kwargs: Any) -> None:
    """Turn units' rights_changed into notices: units sits below notifications and may not call notify()."""
    notify(recipients=recipients, kind=kind, title=title, body=body, object_type="units.unit",
           object_id=str(unit.pk), unit_path=unit.path, payload={"unit": unit.code, "actor": actor_name})
