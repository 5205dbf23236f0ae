"""``qingdan export-ledger LEDGER OUT.xlsx [--as USER]``: a ledger to XLSX, with the import's headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.ledgers.tabular import ledger_export


class Command(QingdanCommand):
    help = "Export a ledger the acting user may see to XLSX, with the headers the import reads back."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("ledger", choices=["liaisons", "sessions", "topics", "visits"])
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        # The system sees everything: a superuser-shaped reader without an account.
        reader = actor if not isinstance(actor, str) else _SystemReader()
        data = self.run_service(lambda: ledger_export(user=reader, ledger=options["ledger"], actor=actor))
        options["out"].write_bytes(data)
        self.stdout.write(f"{options['out']}: {len(data)} bytes")


class _SystemReader:
    """The server's operator: scope_for_user treats an active superuser as global."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
    username = "system"
