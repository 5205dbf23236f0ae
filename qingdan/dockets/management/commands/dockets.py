"""``qingdan dockets tick``: grade items red/yellow/green, urge the late ones, hand stale returns upward.

Run it from cron (every quarter hour is plenty: only items whose grade changes are touched
and urged), with ``--enqueue`` to let the background worker do it, or with ``--every`` to keep
ticking in the foreground (``make run`` does this beside its worker).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qingdan.core.commands import run_or_enqueue
from qingdan.dockets.tasks import dockets_tick_task


class Command(BaseCommand):
    help = "Loop maintenance. 'tick' grades open items, urges the late ones and hands stale returns to parents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["tick"])
        parser.add_argument("--enqueue", action="store_true", help="run it on the background worker")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="repeat forever, this many seconds apart")

    def handle(self, *args: Any, **options: Any) -> None:
        run_or_enqueue(self, options, name="dockets tick", task=dockets_tick_task,
                       describe=lambda r: f"graded {r['graded']}, handed to parent units: {r['fallback']}")
