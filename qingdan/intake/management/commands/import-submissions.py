"""``qingdan import-submissions FILE``: citizens' messages from CSV/XLSX; good rows in, bad rows listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.intake.importers import submissions_import
from qingdan.units.models import Unit


class Command(QingdanCommand):
    help = ("Import submissions from CSV or XLSX (UTF-8 or GBK). Columns (English or Chinese): id/留言编号, "
            "user/留言用户, title/留言主题, text/留言详情, created_at/留言时间, likes/点赞数, dislikes/反对数, "
            "category/一级标签/一级分类, reply/答复意见, replied_at/答复时间, place, channel, kind. Rows are "
            "anonymous, channel 'import' unless a channel column says otherwise, times are Beijing time. Good "
            "rows are imported and every rejected row is listed with its reason; running the same file again "
            "creates nothing new.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", metavar="CODE",
                            help="the unit that holds the submissions (a place column holding unit codes below "
                                 "it narrows each row); required unless every row's place is a unit code")
        parser.add_argument("--source", metavar="NAME",
                            help="the source recorded on each row, which with the row id makes re-imports "
                                 "idempotent (default: the file name without its extension)")

    def handle(self, *args: Any, **options: Any) -> None:
        data = self.read_file(options["file"])
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit {options['unit']}")
        source = options["source"] or options["file"].stem
        result = self.run_service(lambda: submissions_import(actor=self.actor(options), source=data, name=source,
                                                             unit=unit))
        for error in result.rejected:
            self.stderr.write(f"rejected: {error}")
        self.stdout.write(result.summary())
