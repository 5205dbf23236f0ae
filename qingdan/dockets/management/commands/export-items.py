"""``qingdan export-items --docket ID --output FILE.xlsx``: a list's items, as the actor may see them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.dockets.commands import docket_for
from qingdan.dockets.exporters import items_export_xlsx
from qingdan.dockets.models import Item


class Command(QingdanCommand):
    help = ("Export a list's items to XLSX: the import's columns (so the file re-imports into another list), "
            "then status, grade, progress and dates. With --as, only the items that user may see.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--docket", type=int, required=True, metavar="ID", help="the list's id")
        parser.add_argument("--output", type=Path, required=True, metavar="FILE.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        docket = self.run_service(lambda: docket_for(actor, options["docket"]))
        data = self.run_service(lambda: items_export_xlsx(user=actor, queryset=Item.objects.filter(docket=docket)))
        try:
            options["output"].write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {options['output']}: {exc.strerror or exc}") from exc
        self.stdout.write(f"wrote {options['output']} ({len(data):,} bytes)")
