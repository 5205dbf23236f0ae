"""``qingdan report``: the weekly report on demand, sending it, and checking the running figures.

Usage:

    qingdan report weekly --unit 3301 --week 2026-W47 --format pdf --output week47.pdf
    qingdan report send [--enqueue] [--every 3600]   # e-mail last week's report to subscribers (cron: Mondays)
    qingdan report verify [--unit CODE] [--repair]
    qingdan report scheme --unit 3301 --weights response_rate=1,satisfaction_rate=2 --green 85 --yellow 70 --as ORG
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from qingdan.core.commands import QingdanCommand, run_or_enqueue
from qingdan.core.periods import period_parse
from qingdan.dockets.models import Docket
from qingdan.reports.render import render
from qingdan.reports.services import last_full_week
from qingdan.reports.tasks import reports_weekly_task
from qingdan.reports.weekly import weekly_build
from qingdan.supervision.running import figures_verify
from qingdan.supervision.selectors import figure_scope
from qingdan.supervision.services import scheme_create
from qingdan.units.models import Unit


class Command(QingdanCommand):
    help = "Weekly reports (weekly, send) and the check of the running figures against a recount (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("action", choices=["weekly", "send", "verify", "scheme"])
        parser.add_argument("--unit", metavar="CODE", help="the unit (its whole subtree)")
        parser.add_argument("--docket", type=int, metavar="ID", help="weekly: only this list")
        parser.add_argument("--week", metavar="YYYY-Www", help="weekly: the ISO week (default: last week)")
        parser.add_argument("--format", choices=["html", "xlsx", "pdf"], default="html")
        parser.add_argument("--output", metavar="FILE", help="weekly: write here (default: standard output)")
        parser.add_argument("--repair", action="store_true", help="verify: make the figures equal the recount")
        parser.add_argument("--weights", metavar="NAME=W,…",
                            help="scheme: e.g. response_rate=20,resolution_rate=30,on_time_rate=20")
        parser.add_argument("--green", default="85", help="scheme: green from this index")
        parser.add_argument("--yellow", default="70", help="scheme: yellow from this index")
        parser.add_argument("--enqueue", action="store_true", help="send: run it on the background worker")
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="send: repeat forever, this many seconds apart (each subscriber gets a week once)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"do_{options['action']}")(options)

    def _unit(self, options: dict[str, Any], required: bool) -> Any:
        code = options.get("unit")
        if not code:
            if required:
                raise CommandError("--unit CODE is required")
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"no unit {code}")
        actor = self.actor(options)
        if not isinstance(actor, str) and not figure_scope(actor).contains(unit):
            raise CommandError(f"unit {code} is outside the scope of {actor}")
        return unit

    def do_weekly(self, options: dict[str, Any]) -> None:
        unit = self._unit(options, required=True)
        week = self.run_service(lambda: period_parse(options["week"])) if options.get("week") else last_full_week()
        if week.kind != "week":
            raise CommandError("--week is an ISO week such as 2026-W47")
        docket = None
        if options.get("docket"):
            docket = Docket.objects.filter(pk=options["docket"]).first()
            if docket is None:
                raise CommandError(f"no list {options['docket']}")
        data = render(weekly_build(unit=unit, week=week, docket=docket), options["format"])
        if options.get("output"):
            Path(options["output"]).write_bytes(data)
            self.stdout.write(f"wrote {options['output']} ({len(data)} bytes)")
        elif options["format"] == "html":
            self.stdout.write(data.decode("utf-8"))
        else:
            raise CommandError("--output FILE is needed for xlsx and pdf")

    def do_send(self, options: dict[str, Any]) -> None:
        run_or_enqueue(self, options, name="weekly report", task=reports_weekly_task,
                       describe=lambda r: f"week {r['week']}: sent {r['sent']}")

    def do_verify(self, options: dict[str, Any]) -> None:
        unit = self._unit(options, required=False)
        result = figures_verify(root=unit, repair=options["repair"])
        for (unit_id, day, name), (kept, counted) in sorted(result.differences.items())[:50]:
            self.stdout.write(f"unit {unit_id} {day} {name}: kept {kept}, recount {counted}")
        if len(result.differences) > 50:
            self.stdout.write(f"… and {len(result.differences) - 50} more")
        self.stdout.write(f"compared {result.compared} figures: {len(result.differences)} differ"
                          + (", repaired" if result.repaired else ""))
        if result.differences and not result.repaired:
            raise CommandError("the running figures differ from a recount (run with --repair)")

    def do_scheme(self, options: dict[str, Any]) -> None:
        """Store a new version of a unit's index weights and grade thresholds (organizers only)."""
        unit = self._unit(options, required=True)
        weights: dict[str, str] = {}
        for part in (options.get("weights") or "").split(","):
            name, sep, value = part.partition("=")
            if not sep:
                raise CommandError("--weights takes NAME=WEIGHT pairs separated by commas")
            weights[name.strip()] = value.strip()
        scheme = self.run_service(lambda: scheme_create(actor=self.actor(options), owner_unit=unit, weights=weights,
                                                        green_at=options["green"], yellow_at=options["yellow"]))
        self.stdout.write(f"{unit.code}: index weights version {scheme.version}: {scheme.weights}")
