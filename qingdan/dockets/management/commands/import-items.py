"""``qingdan import-items FILE --docket ID``: a list's items from CSV/XLSX, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.dockets.commands import docket_for
from qingdan.dockets.importers import items_import


class Command(QingdanCommand):
    help = ("Import the items of a list (清单) from CSV or XLSX (UTF-8 or GBK). Columns (Chinese or English): "
            "序号/number, 问题/事项/title, 具体表现/description, 牵头单位/lead_unit (code or name), "
            "配合单位/co_units (separated by 、,，;), 责任领导/leader, 承办人/handler (usernames), 整改措施/measures, "
            "承诺/commitment, 完成时限/deadline or 工作日/working_days, 优先级/priority (一般/重要/紧急), "
            "类别/category, 上级事项/parent (a 序号 of the file or an item number of the list), 公开/published "
            "(是/否). A file with any bad row imports nothing and lists every problem. See docs/importing.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--docket", type=int, required=True, metavar="ID", help="the list's id")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        data = self.read_file(options["file"])
        docket = self.run_service(lambda: docket_for(actor, options["docket"]))
        result = self.run_service(lambda: items_import(actor=actor, docket=docket, name=options["file"].name,
                                                       data=data))
        self.stdout.write(result.summary())
