"""``qingdan auto-dispatch``: an organizer's threshold for dispatching new submissions automatically."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand
from qingdan.triage.models import AutoDispatchPolicy
from qingdan.triage.routing import auto_dispatch_configure
from qingdan.units.models import Unit


class Command(QingdanCommand):
    help = ("Automatic dispatch of new submissions (docs/triage.md, 'Route'). '--unit CODE --threshold 0.85' "
            "dispatches a new submission held in the unit's subtree to triage's best unit when its score "
            "reaches 0.85 (never a report against an official); '--unit CODE --off' turns it off there; no "
            "option lists the policies. Audited; run it --as an organizer of the unit.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--unit", metavar="CODE", help="the jurisdiction (its whole subtree)")
        parser.add_argument("--threshold", type=float, help="above 0, at most 1")
        parser.add_argument("--off", action="store_true", help="turn automatic dispatch off for the unit")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["unit"]:
            for policy in AutoDispatchPolicy.objects.select_related("unit").order_by("unit__path"):
                state = f"≥ {policy.threshold}" if policy.enabled else "off"
                self.stdout.write(f"{policy.unit.code}\t{policy.unit.name}\t{state}")
            return
        if options["off"] == (options["threshold"] is not None):
            raise CommandError("give either --threshold or --off")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"no unit {options['unit']}")
        policy = self.run_service(lambda: auto_dispatch_configure(
            actor=self.actor(options), unit=unit, threshold=None if options["off"] else options["threshold"]))
        state = f"dispatch at a score ≥ {policy.threshold}" if policy.enabled else "off"
        self.stdout.write(f"{unit.code} {unit.name}: automatic {state}")
