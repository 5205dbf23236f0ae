"""``qingdan webhooks_retry``: send webhook deliveries that are due (retries and anything the queue lost)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qingdan.notifications.services import webhook_deliver_due


class Command(BaseCommand):
    help = "Attempt every pending webhook delivery whose next try has come (run from cron, or with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=float, metavar="SECONDS", default=0,
                            help="keep running, sweeping every SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            attempted = webhook_deliver_due()
            self.stdout.write(f"attempted {attempted} webhook deliveries")
            if not options["loop"]:
                return
            time.sleep(options["loop"])
