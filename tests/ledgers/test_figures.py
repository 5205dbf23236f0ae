"""The ledger figures on a generated data set equal the hand computation over the same specs."""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from qingdan.ledgers.choices import Attendance, ProblemRoute, SessionKind
from qingdan.ledgers.selectors import coverage, study_figures, visit_figures
from qingdan.ledgers.services import Attendee, ProblemFound, liaison_assign, session_record, visit_record
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def test_study_figures_by_hand(tree, make_staff):
    """Two teams (西湖区, 留下街道) and one outside (滨江区). Hand count over fixed specs."""
    today = timezone.localdate()
    xh = make_staff("xh_boss", Role.LEADER, tree["330106"])
    xh_members = [make_staff(f"xh_m{i}", Role.HANDLER, tree["330106"]) for i in range(3)]
    lx_members = [make_staff(f"lx_m{i}", Role.HANDLER, tree["330106009"]) for i in range(2)]
    bj = make_staff("bj_boss", Role.LEADER, tree["330108"])
    day = today - datetime.timedelta(days=10)
    # 西湖区: 2 days + 4 hours (0.5 day) = 2.5; attendance: 3 present, 1 absent then made up, 1 absent.
    session_record(actor=xh, unit=tree["330106"], kind=SessionKind.READING_CLASS, topic="读书班", starts_on=day,
                   ends_on=day + datetime.timedelta(days=1), duration=2, duration_unit="days",
                   attendees=[Attendee(person=xh), Attendee(person=xh_members[0]), Attendee(person=xh_members[1]),
                              Attendee(person=xh_members[2], status=Attendance.MADE_UP, made_up_on=today),
                              Attendee(person=lx_members[0], status=Attendance.ABSENT)])
    session_record(actor=xh, unit=tree["330106"], kind=SessionKind.SEMINAR, topic="专题研讨", starts_on=day,
                   duration=4, duration_unit="hours", attendees=[Attendee(person=xh)])
    # 留下街道: 1 day, leadership; plus a members' lecture that is not a leadership session (3 hours).
    session_record(actor=xh, unit=tree["330106009"], kind=SessionKind.PARTY_LESSON, topic="党课", starts_on=day,
                   duration=1, attendees=[Attendee(person=lx_members[0])])
    session_record(actor=xh, unit=tree["330106009"], kind=SessionKind.LECTURE, topic="宣讲", starts_on=day,
                   duration=3, duration_unit="hours", leadership=False, attendees=[Attendee(person=lx_members[1])])
    # Outside the subtree, and outside the period: neither counts for 西湖区 this month.
    session_record(actor=bj, unit=tree["330108"], kind=SessionKind.GROUP_STUDY, topic="x", starts_on=day,
                   duration=5, attendees=[Attendee(person=bj)])
    session_record(actor=xh, unit=tree["330106"], kind=SessionKind.GROUP_STUDY, topic="去年", duration=9,
                   starts_on=day - datetime.timedelta(days=400), attendees=[Attendee(person=xh)])

    figures = study_figures(unit=tree["330106"], start=day - datetime.timedelta(days=30), end=today)
    assert figures.sessions == 4
    assert figures.by_kind[SessionKind.READING_CLASS] == 1 and figures.by_kind[SessionKind.GROUP_STUDY] == 0
    assert figures.person_times == 4 + 1 + 1 + 1  # made-up counts, absence does not
    assert figures.made_up == 1 and figures.absent == 1
    # Five teams in the subtree (西湖区, 留下街道, two villages, 西湖区公安局); three held no session and count 0.
    assert figures.teams == 5 and figures.teams_without_session == 3
    assert figures.team_days == Decimal("3.5")  # 2.5 (西湖区) + 1 (留下街道); the members' lecture is not a team's
    assert figures.average_days_per_team == Decimal("0.7")  # 3.5 / 5
    # Members: xh_boss, 3 xh_m, 2 lx_m = 6 active people in the subtree; all six studied.
    assert figures.members == 6 and figures.members_studied == 6 and figures.member_coverage == Decimal("100.0")
    only_lx = study_figures(unit=tree["330106009"], start=day, end=today)
    assert only_lx.sessions == 2 and only_lx.members == 2 and only_lx.members_studied == 2


def test_visit_figures_and_coverage_on_generated_visits(tree, make_staff, zj_organizer):
    """Random visits (seeded) by three people; the expected figures are counted with plain Python."""
    rng = random.Random(7)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    lx_leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    xh_leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    bj_leader = make_staff("bj_leader", Role.LEADER, tree["330108"])
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330106009001"], starts_on=start)
    liaison_assign(actor=zj_organizer, leader=xh_leader, unit=tree["330106009"], starts_on=start)
    # An assignment that ended before the period: not counted.
    liaison_assign(actor=zj_organizer, leader=bj_leader, unit=tree["330106009002"],
                   starts_on=start - datetime.timedelta(days=400), ends_on=start - datetime.timedelta(days=300))
    places = [("330106009001", lx_leader), ("330106009001", xh_leader), ("330106009", xh_leader),
              ("330106009001", bj_leader), ("330108001", bj_leader)]
    specs = []
    for _n in range(40):
        code, who = rng.choice(places)
        when = today - datetime.timedelta(days=rng.randint(0, 120))
        spec = {"code": code, "who": who, "on": when, "hh": rng.randint(0, 30), "ent": rng.randint(0, 3),
                "spot": rng.randint(0, 2),
                "problems": rng.choice([[], [ProblemRoute.SOLVED], [ProblemRoute.SOLVED] * 2])}
        specs.append(spec)
        if who is bj_leader and code != "330108001":
            continue  # 滨江区's leader may not record visits in 西湖区 (no liaison now): skip
        visit_record(actor=who, unit=tree[code], visited_on=when, households=spec["hh"], enterprises=spec["ent"],
                     solved_on_spot=spec["spot"],
                     problems=[ProblemFound(text="已现场解决的问题", route=r) for r in spec["problems"]])
    recorded = [s for s in specs if not (s["who"] is bj_leader and s["code"] != "330108001")]
    in_period = [s for s in recorded if s["code"].startswith("330106") and start <= s["on"] <= today]
    figures = visit_figures(unit=tree["330106"], start=start, end=today)
    assert figures.visits == len(in_period)
    assert figures.households == sum(s["hh"] for s in in_period)
    assert figures.enterprises == sum(s["ent"] for s in in_period)
    assert figures.solved_on_spot == sum(s["spot"] + len(s["problems"]) for s in in_period)
    assert figures.villages == len({s["code"] for s in in_period if len(s["code"]) == 12})
    assert figures.townships == (1 if in_period else 0)
    assert figures.visitors == len({s["who"].pk for s in in_period})

    cover = coverage(unit=tree["330106"], start=start, end=today)
    village_visits = [s for s in in_period if s["code"] == "330106009001"]
    rows = {row.unit.code: row for row in cover.villages}
    assert set(rows) == {"330106009001", "330106009002"}  # both under 留下街道 (xh_leader answers for it)
    assert rows["330106009001"].visits == len(village_visits)
    assert rows["330106009002"].visits == 0 and not rows["330106009002"].visited
    leaders = {row.leader.username: row for row in cover.leaders}
    assert set(leaders) == {"lx_leader", "xh_leader"}
    assert leaders["lx_leader"].assigned == 1
    assert leaders["lx_leader"].visited == int(any(s["who"] is lx_leader for s in village_visits))
    assert leaders["xh_leader"].assigned == 2
    assert leaders["xh_leader"].visited == int(any(s["who"] is xh_leader for s in village_visits))
    assert [u.code for u in leaders["xh_leader"].not_visited][-1] == "330106009002"
    expected_rate = (Decimal(int(bool(village_visits)) * 100) / 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert cover.rate == expected_rate
