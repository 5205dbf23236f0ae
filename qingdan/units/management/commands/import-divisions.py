"""``qingdan import-divisions``: load the national administrative divisions into the unit tree."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.units.divisions import default_source, divisions_import, read_divisions


class Command(QingdanCommand):
    help = ("Load the national division list (provinces … villages) for one province or the whole country. "
            "Safe to re-run: renames are applied, new units added, vanished units retired.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--province", metavar="CODE", help="two-digit province code, e.g. 33 for Zhejiang")
        which.add_argument("--all", action="store_true", help="the whole country (665,276 units)")
        parser.add_argument("--source", type=Path, default=None,
                            help="folder with provinces.csv … villages.csv[.gz] (default: the files shipped)")
        parser.add_argument("--depth", type=int, default=5, choices=range(1, 6),
                            help="stop at this level: 1 province … 5 village (default 5)")

    def handle(self, *args: Any, **options: Any) -> None:
        province = options["province"]
        if province and (len(province) != 2 or not province.isdigit()):
            raise CommandError("--province takes a two-digit code such as 33")
        source = options["source"] or default_source()
        started = time.perf_counter()
        divisions = self.run_service(lambda: read_divisions(source, province=province, depth=options["depth"]))
        read_seconds = time.perf_counter() - started
        result = self.run_service(lambda: divisions_import(actor=self.actor(options), divisions=divisions,
                                                           province=province))
        total = time.perf_counter() - started
        self.stdout.write(
            f"read {result.read} divisions in {read_seconds:.1f}s; created {result.created}, "
            f"renamed {len(result.renamed)}, retired {len(result.retired)}, reactivated {len(result.reactivated)}, "
            f"unchanged {result.unchanged}; {total:.1f}s in all"
        )
        for code, old, new in result.renamed[:20]:
            self.stdout.write(f"  renamed {code}: {old} → {new}")
