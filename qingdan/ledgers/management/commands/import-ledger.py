"""``qingdan import-ledger LEDGER FILE [--as USER]``: a ledger from XLSX/CSV, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.ledgers.tabular import liaisons_import, sessions_import, topics_import, visits_import

IMPORTERS = {"visits": visits_import, "sessions": sessions_import, "liaisons": liaisons_import,
             "topics": topics_import}


class Command(QingdanCommand):
    help = ("Import a ledger (台账) from XLSX or CSV: visits (走访日期, 走访人, 走访地点, 走访企业, 走访户数, "
            "走访企业数, 听取意见, 现场解决问题数, 发现问题), sessions (单位, 形式, 主题, 开始日期, 结束日期, 时长, "
            "时长单位, 地点, 红色教育基地, 领导班子, 学习材料, 参加人员, 缺席人员, 补学人员) or liaisons (包联领导, "
            "包联单位, 开始日期, 结束日期, 备注) or topics (单位, 调研课题, 负责人, 开始日期). A file with any bad or "
            "repeated row imports nothing and lists "
            "every problem. See docs/ledgers.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("ledger", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options)
        data = self.read_file(options["file"])
        importer = IMPORTERS[options["ledger"]]
        result = self.run_service(lambda: importer(actor=actor, name=options["file"].name, data=data))
        self.stdout.write(result.summary())
