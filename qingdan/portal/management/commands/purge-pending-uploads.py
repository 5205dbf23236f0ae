"""``qingdan purge-pending-uploads``: delete the public form's kept files once they have expired.

Each new pending upload purges the expired ones too; run this from cron so a quiet site is
cleaned as well.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qingdan.portal.pending import pending_purge


class Command(BaseCommand):
    help = "Delete the public form's pending uploads older than their time to live (6 hours)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deleted {pending_purge()} expired pending uploads")
