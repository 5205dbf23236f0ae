"""``qingdan import-people FILE``: create staff accounts and roles from CSV/XLSX, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.people.importers import people_import


class Command(QingdanCommand):
    help = ("Import staff from CSV or XLSX (UTF-8 or GBK). Columns: username/用户名, name/姓名, unit/单位编码, "
            "role/角色, scope/管辖单位编码, phone/手机, email/邮箱. One row per role. New accounts have no "
            "password until one is set (qingdan changepassword USER).")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        data = self.read_file(options["file"])
        result = self.run_service(lambda: people_import(actor=self.actor(options), source=data))
        self.stdout.write(f"created {len(result.created)} accounts, granted {result.roles_granted} roles "
                          f"({result.unchanged_roles} already held)")
