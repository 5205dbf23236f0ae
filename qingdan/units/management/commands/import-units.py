"""``qingdan import-units FILE``: add or rename units from CSV/XLSX, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.units.importers import units_import


class Command(QingdanCommand):
    help = ("Import units from CSV or XLSX (UTF-8 or GBK). Columns: code/编码, name/名称, parent/上级编码, "
            "kind/类型, level/层级. A file with any bad row imports nothing and lists every problem.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        data = self.read_file(options["file"])
        result = self.run_service(lambda: units_import(actor=self.actor(options), source=data))
        self.stdout.write(f"created {len(result.created)}, updated {len(result.updated)}, unchanged {result.unchanged}")
