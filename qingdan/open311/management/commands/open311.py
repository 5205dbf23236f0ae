"""``qingdan open311 key create|list|revoke``: api_keys for Open311 integrations."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from qingdan.core.actors import Actor
from qingdan.core.commands import QingdanCommand
from qingdan.open311.selectors import jurisdiction_get, key_find, key_list
from qingdan.open311.services import key_create, key_revoke


class Command(QingdanCommand):
    help = ("Open311 api_keys. 'key create NAME --unit CODE' issues one (printed as the last line, shown only "
            "once); 'key list' shows them; 'key revoke PREFIX_OR_NAME' revokes one at once.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("noun", choices=["key"])
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("ref", nargs="?", metavar="NAME_OR_PREFIX",
                            help="create: the integration's name; revoke: its name or key prefix")
        parser.add_argument("--unit", metavar="CODE", help="create: the unit (code) the key serves, with its subtree")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        action = options["action"]
        if action == "list":
            self._list(actor)
            return
        if not options["ref"]:
            raise CommandError(f"key {action} needs a {'NAME' if action == 'create' else 'PREFIX_OR_NAME'}")
        if action == "create":
            if not options["unit"]:
                raise CommandError("key create needs --unit CODE")
            unit = self.run_service(lambda: jurisdiction_get(options["unit"]))
            record, key = self.run_service(lambda: key_create(actor=actor, name=options["ref"], unit=unit))
            self.stdout.write(f"Open311 key {record.name} ({record.prefix}…) for {unit.code} {unit.name}.")
            self.stdout.write("Give this api_key to the integration; it is shown only now:")
            self.stdout.write(key)
            return
        record = self.run_service(lambda: key_find(actor=actor, ref=options["ref"]))
        self.run_service(lambda: key_revoke(actor=actor, key=record))
        self.stdout.write(f"revoked {record.name} ({record.prefix}…)")

    def _list(self, actor: Actor) -> None:
        keys = list(key_list(actor=actor))
        if not keys:
            self.stdout.write("no Open311 keys")
            return
        self.stdout.write("name\tprefix\tunit\tcreated\tlast used\tstatus")
        for key in keys:
            status = f"revoked {_local(key.revoked_at)}" if key.revoked_at else "live"
            used = _local(key.last_used_at) if key.last_used_at else "-"
            self.stdout.write(f"{key.name}\t{key.prefix}\t{key.unit.code}\t{_local(key.created_at)}\t{used}\t{status}")


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
