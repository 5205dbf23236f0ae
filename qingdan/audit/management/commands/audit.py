"""``qingdan audit seal|verify``: chain pending entries; check that no audit entry was edited or deleted."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.audit.services import audit_seal, audit_verify
from qingdan.audit.tasks import audit_seal_task, audit_verify_task


class Command(BaseCommand):
    help = ("Audit trail tools. 'seal' chains the entries written since the last seal; 'verify' seals, then walks "
            "the hash chain and reports any tampering.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seal", "verify"])
        parser.add_argument("--enqueue", action="store_true",
                            help="run it on the background worker instead of here, and print the task id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            if options["action"] == "seal":
                self.stdout.write(f"enqueued audit sealing: task {audit_seal_task.enqueue().id}")
            else:
                self.stdout.write(f"enqueued audit verification: task {audit_verify_task.enqueue().id}")
            return
        if options["action"] == "seal":
            self.stdout.write(f"audit entries sealed: {audit_seal()}")
            return
        result = audit_verify()
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(problem)
            raise CommandError(f"audit chain broken: {len(result.problems)} problem(s) in {result.checked} entries")
        self.stdout.write(f"audit chain intact: {result.checked} entries ({result.sealed} sealed now)")
