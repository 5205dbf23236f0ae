"""``qingdan load-demo``: the Zhejiang demo, loaded once; later runs return at once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qingdan.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_is_loaded, demo_load


class Command(BaseCommand):
    help = "Load the demo (Zhejiang's 27,036 real units, departments, demo accounts) and print the accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="re-run the idempotent import even if loaded")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["force"] or not demo_is_loaded():
            self.stdout.write("loading the demo: Zhejiang's units, departments and accounts …")
            demo_load()
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<14} {account.note}")
        self.stdout.write("\nOpen http://127.0.0.1:8000/ and log in.")
