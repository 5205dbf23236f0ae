"""Shared pieces of the ``qingdan`` subcommands."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.core.errors import ApplicationError, ImportRejected


class QingdanCommand(BaseCommand):
    """A command that runs as a named staff user (``--as``) or as the system, and reports domain errors."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="act as this staff user (their scope applies); default: the system")

    def actor(self, options: dict[str, Any]) -> Any:
        """Return the acting user, or the label 'system' for the server's own operator."""
        username = options.get("as_user")
        if not username:
            return "system"

        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        return user

    def read_file(self, path: Path) -> bytes:
        """Return a file's bytes, or stop with a message naming it."""
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc

    def run_service(self, call: Callable[[], Any]) -> Any:
        """Call a service; print every row of a rejected import; turn domain errors into exit 1."""
        try:
            return call()
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.summary) from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc


def run_or_enqueue(command: BaseCommand, options: dict[str, Any], *, name: str, task: Any,
                   describe: Callable[[Any], str], **kwargs: Any) -> None:
    """Run a periodic job's ``task`` here, or with ``--enqueue`` hand it to the background worker.

    With ``--every N`` keep doing so every N seconds (for a machine without cron).
    """
    while True:
        if options["enqueue"]:
            command.stdout.write(f"enqueued {name}: task {task.enqueue(**kwargs).id}")
        else:
            command.stdout.write(describe(task.call(**kwargs)))
        if not options["every"]:
            return
        time.sleep(options["every"])
