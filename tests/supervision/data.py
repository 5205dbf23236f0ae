"""A generated data set with known answers: four counties of 杭州 in September and October 2026.

Items are written directly with chosen timestamps (the loop's services stamp "now"), then the
figures are built by the recount; the tests compare rates, index, grade and rank with the
values worked out by hand in the comments below.
"""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)
_codes = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


# (new, responded in time, closed, closed on time, closed after a reopening, satisfied, basic, unsatisfied)
OCTOBER = {
    # response 9/10 = 90 %, resolution (solved answers) 4/5 = 80 %, satisfaction 4/5 = 80 %, on time
    # 6/8 = 75 %, closure 8/10 = 80 %, repeat 1/8 = 12.5 %.
    # Default weights 20/30/30/20: (20·90 + 30·80 + 30·80 + 20·75) / 100 = 81.00 → yellow.
    "330106": (10, 9, 8, 6, 1, 3, 1, 1),
    # all 100 % → 100.00, green; 滨江 and 萧山 tie for first place.
    "330108": (4, 4, 4, 4, 0, 2, 0, 0),
    "330109": (4, 4, 4, 4, 0, 2, 0, 0),
    # response 2/5 = 40 %, no ratings (no resolution or satisfaction rate), on time 0/1 = 0 %:
    # (20·40 + 20·0) / (20 + 20) = 20.00 → red, fourth.
    "330110": (5, 2, 1, 0, 0, 0, 0, 0),
}
SEPTEMBER = {
    "330106": (2, 2, 2, 2, 0, 1, 0, 0),  # 100.00, first in September
    # response 1/2 = 50 %, nothing rated or closed: 50.00, second
    "330110": (2, 1, 0, 0, 0, 0, 0, 0),
}


def add_counties(tree: dict) -> dict:
    """Add 萧山区 and 余杭区 beside 西湖区 and 滨江区 under 杭州市."""
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.models import Unit

    hz = Unit.objects.get(code="3301")
    for code, name in (("330109", "萧山区"), ("330110", "余杭区")):
        if code not in tree:
            Unit.objects.add_child(hz, {"code": code, "name": name, "kind": UnitKind.REGION,
                                        "level": UnitLevel.COUNTY})
            hz.refresh_from_db()
            tree[code] = Unit.objects.get(code=code)
    return tree


def build_month(docket, units: dict, month: datetime.date, spec: dict) -> None:
    """Write the items and ratings of ``spec`` for the month starting on ``month``."""
    from qingdan.dockets.models import Item, ItemSubmission
    from qingdan.intake.models import Rating, Submission

    for code, (new, responded, closed, on_time, repeat, sat, basic, unsat) in spec.items():
        unit = units[code]
        made = []
        for i in range(new):
            day = month + datetime.timedelta(days=1 + i % 5)
            created, dispatched = at(day, 8), at(day, 9)
            fields = {"docket": docket, "number": next(_numbers), "title": f"{unit.name}问题{i}", "lead_unit": unit,
                      "dispatched_at": dispatched, "status": "dispatched", "grade": "green"}
            if i < responded:
                fields.update(accepted_at=dispatched + datetime.timedelta(hours=3), status="accepted")
            elif i < closed:  # accepted, but late
                fields.update(accepted_at=dispatched + datetime.timedelta(hours=48), status="accepted")
            if i < closed:
                closed_day = day + datetime.timedelta(days=10)
                fields.update(status="closed", closed_at=at(closed_day, 16),
                              due_on=closed_day if i < on_time else closed_day - datetime.timedelta(days=2),
                              reopened=1 if closed - repeat <= i else 0)
            item = Item.objects.create(**fields)
            Item.objects.filter(pk=item.pk).update(created_at=created)
            made.append(item)
        # Satisfied and basically satisfied citizens say "solved", the unsatisfied one "not solved".
        ratings = ["satisfied"] * sat + ["basic"] * basic + ["unsatisfied"] * unsat
        for item, rating in zip(made, ratings, strict=False):
            rated = item.closed_at or at(month + datetime.timedelta(days=20))
            sub = Submission.objects.create(tracking_code=f"T{next(_codes):08d}", subject="问题", text="问题",
                                            unit=unit, created_at=item.dispatched_at, rating=rating, rated_at=rated,
                                            replied_at=rated, status="closed", answered_by=unit)
            ItemSubmission.objects.create(item=item, submission=sub)
            Rating.objects.create(submission=sub, unit=unit, satisfaction=rating, solved=rating != "unsatisfied",
                                  at=rated)


def build_known(tree: dict, docket) -> dict:
    """The whole data set; returns the units by code. Figures are built by the recount."""
    from qingdan.supervision.running import figures_verify

    units = add_counties(tree)
    build_month(docket, units, datetime.date(2026, 9, 1), SEPTEMBER)
    build_month(docket, units, datetime.date(2026, 10, 1), OCTOBER)
    figures_verify(repair=True)
    return units
