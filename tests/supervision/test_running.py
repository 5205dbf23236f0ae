"""An item moved through the loop changes the figures of its unit and all ancestors, and nothing else."""

import datetime

import pytest
from django.db.models import Sum
from django.utils import timezone

from qingdan.dockets.services import (
    item_accept,
    item_close,
    item_dispatch,
    item_reopen,
    item_request_closure,
    item_return,
    item_stage_result,
    items_grade,
)
from qingdan.supervision.figures import figures_depth as kept_depth
from qingdan.supervision.models import STOCK_DAY, Figure
from qingdan.supervision.running import figures_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[3, 5], ids=["kept-to-county", "kept-everywhere"])
def figures_depth(request, settings):
    """Run every test with figures kept down to counties (the default) and down to villages."""
    settings.QINGDAN_FIGURES_DEPTH = request.param
    return request.param


def figures() -> dict:
    """{(unit code, day, name): value} as readers see them: kept rows (stripes summed) down to the
    kept depth, counted from the items below it; zeros dropped.
    """
    from qingdan.supervision.running import figures_counted
    from qingdan.units.models import Unit

    depth = kept_depth()
    rows = (Figure.objects.filter(unit__depth__lte=depth).values("unit__code", "day", "name").annotate(v=Sum("value"))
            .values_list("unit__code", "day", "name", "v"))
    seen = {(code, day, name): v for code, day, name, v in rows if v}
    deep = list(Unit.objects.filter(depth__gt=depth))
    codes = {unit.pk: unit.code for unit in deep}
    for unit_id, counters in figures_counted(deep).items():
        seen.update({(codes[unit_id], day, name): v for (day, name), v in counters.items() if v})
    return seen


def changed(before: dict, after: dict) -> dict:
    keys = set(before) | set(after)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys if after.get(k, 0) != before.get(k, 0)}


CHAIN = {"33", "3301", "330106", "330106009", "330106009001"}


def test_the_loop_moves_the_village_and_its_ancestors_only(make_item, hz_operator, hz_supervisor, tree,
                                                          make_staff, png):
    from qingdan.units.choices import Role

    handler = make_staff("v1_handler", Role.HANDLER, tree["330106009001"])
    # An item of the neighbouring county first: its figures must not move afterwards.
    make_item(lead_unit=tree["330108001"])
    today = timezone.localdate()
    start = figures()

    item = make_item(lead_unit=tree["330106009001"], category="环境")
    listed = changed(start, figures())
    assert {code for code, _d, _n in listed} == CHAIN
    for code in CHAIN:
        assert listed[(code, today, "new")] == 1
        assert listed[(code, STOCK_DAY, "status:listed")] == 1
        assert listed[(code, today, "new:cat:环境")] == 1

    step = figures()
    item = item_dispatch(actor=hz_operator, item=item)
    item = item_accept(actor=handler, item=item)
    moved = changed(step, figures())
    assert {code for code, _d, _n in moved} == CHAIN
    for code in CHAIN:
        assert moved[(code, today, "dispatched")] == 1
        assert moved[(code, today, "responded")] == 1
        assert moved[(code, STOCK_DAY, "status:listed")] == -1
        assert moved[(code, STOCK_DAY, "status:accepted")] == 1
        assert moved[(code, STOCK_DAY, "grade:green")] == 1
    # The grade of the lead unit's own items is kept on the lead unit only.
    assert moved[("330106009001", STOCK_DAY, "own:grade:green")] == 1
    assert ("330106009", STOCK_DAY, "own:grade:green") not in moved

    item = item_stage_result(actor=handler, item=item, text="阶段性成果：已完成一半", files=[("a.png", png)])
    item = item_request_closure(actor=handler, item=item, reply="已整改完毕", files=[("b.png", png)])
    step = figures()
    item = item_close(actor=hz_supervisor, item=item, text="核验通过")
    closed = changed(step, figures())
    for code in CHAIN:
        assert closed[(code, today, "closed")] == 1
        assert closed[(code, today, "closed_on_time")] == 1
        assert closed[(code, today, "resolved")] == 1
        assert closed[(code, STOCK_DAY, "open")] == -1
    assert {code for code, _d, _n in closed} == CHAIN

    item_reopen(actor=hz_supervisor, item=item, reason="群众反映问题复发")
    after = figures()
    for code in CHAIN:
        assert after.get((code, today, "closed"), 0) == 0
        assert after[(code, STOCK_DAY, "reopened_open")] == 1
        assert after[(code, today, "stage_results")] == 1
    assert figures_verify().ok


def test_below_the_kept_depth_only_the_lead_units_own_grades_are_stored(make_item, hz_operator, tree, settings,
                                                                      make_staff):
    from qingdan.supervision.selectors import unit_rates, units_rates
    from qingdan.units.choices import Role

    settings.QINGDAN_FIGURES_DEPTH = 3
    handler = make_staff("v1_handler", Role.HANDLER, tree["330106009001"])
    item = item_dispatch(actor=hz_operator, item=make_item(lead_unit=tree["330106009001"]))
    item_accept(actor=handler, item=item)
    stored = {(code, name) for code, name in Figure.objects.exclude(value=0).values_list("unit__code", "name")}
    assert {code for code, _name in stored} == {"33", "3301", "330106", "330106009001"}
    assert {name for code, name in stored if code == "330106009001"} == {"own:grade:green"}
    # Readers still see the township's and the village's figures, counted from the items.
    today = timezone.localdate()
    for code in ("330106009", "330106009001"):
        rates = unit_rates(unit=tree[code], start=today, end=today)
        assert rates.get("dispatched") == 1 and rates.get("responded") == 1 and rates.get("grade:green") == 1
    assert unit_rates(unit=tree["330108001"], start=today, end=today).get("dispatched") == 0
    # A unit and its child asked for together (a dashboard and its drill-down): nothing counted twice.
    both = units_rates(units=[tree["330106009"], tree["330106009001"]], start=today, end=today)
    assert both[tree["330106009001"].pk].get("own:grade:green") == 1
    assert both[tree["330106009"].pk].get("own:grade:green") == 0
    assert both[tree["330106009"].pk].get("dispatched") == 1
    assert figures_verify().ok


def test_a_return_and_a_move_to_another_county_move_both_chains(make_item, hz_operator, tree, make_staff):
    from qingdan.units.choices import Role

    xh = make_staff("xh_handler", Role.HANDLER, tree["330106"])
    item = item_dispatch(actor=hz_operator, item=make_item())
    item_return(actor=xh, item=item, reason="不属于本单位职责")
    item = item_dispatch(actor=hz_operator, item=item, lead_unit=tree["330108"])
    now = figures()
    today = timezone.localdate()
    assert now.get(("330106", today, "dispatched"), 0) == 0
    assert now[("330108", today, "dispatched")] == 1
    assert now[("330108", today, "returns")] == 1
    assert now[("3301", today, "dispatched")] == 1
    assert figures_verify().ok


def test_grading_moves_grade_figures_and_verify_finds_and_repairs_drift(make_item, hz_operator, tree):
    late = make_item(deadline=timezone.localdate() + datetime.timedelta(days=5))
    item_dispatch(actor=hz_operator, item=late)
    make_item()
    on = timezone.localdate() + datetime.timedelta(days=20)
    items_grade(on=on)
    now = figures()
    assert now[("33", STOCK_DAY, "grade:red")] == 1
    assert now.get(("33", STOCK_DAY, "grade:green"), 0) == 0
    assert now[("330106", STOCK_DAY, "own:grade:red")] == 1
    assert figures_verify().ok
    # Grading without urging says only how many changed: the counts are taken afresh.
    from qingdan.dockets.models import Item

    Item.objects.filter(pk=late.pk).update(grade="green")
    items_grade(on=on, urge=False)
    assert figures()[("33", STOCK_DAY, "grade:red")] == 1
    assert figures_verify().ok

    Figure.objects.filter(unit=tree["3301"], name="new").update(value=7)
    result = figures_verify()
    assert not result.ok
    assert (tree["3301"].pk, timezone.localdate(), "new") in result.differences
    assert figures_verify(repair=True).repaired
    assert figures_verify().ok
    assert figures_verify(root=tree["330106"]).ok


def test_a_rating_counts_for_the_unit_that_answered_with_or_without_an_item(make_item, hz_operator, tree,
                                                                          make_staff):
    from qingdan.dockets.services import item_link_submissions, submission_rate
    from qingdan.intake.services import submission_create, submission_reply
    from qingdan.supervision.selectors import unit_rates
    from qingdan.units.choices import Role

    handler = make_staff("xh_replier", Role.HANDLER, tree["330106"])

    def rated(rating: str, unit="330106"):
        submission, _new = submission_create(actor=None, channel="web", kind="complaint", subject="路灯不亮",
                                             text="小区门口路灯坏了一个月。", unit=tree[unit], anonymous=True)
        submission_reply(actor=handler, submission=submission, text="已报修。")
        return submission_rate(submission=submission, rating=rating, solved=rating != "unsatisfied")

    today = timezone.localdate()
    rated("basic", unit="330106009001")  # a village's case, answered at the desk: no item at all
    item = make_item(submissions=[rated("satisfied")])  # listed with an already-rated submission
    assert item_link_submissions(actor=hz_operator, item=item, submissions=[rated("unsatisfied")]) == 1
    for code in ("33", "3301", "330106"):
        rates = unit_rates(unit=tree[code], start=today, end=today)
        assert rates.get("rated") == 3
        assert rates.get("rated:satisfied") == rates.get("rated:basic") == rates.get("rated:unsatisfied") == 1
        assert (rates.get("rated:solved"), rates.get("rated:unsolved")) == (2, 1)
    village = unit_rates(unit=tree["330106009001"], start=today, end=today)
    assert village.get("rated") == 1 and village.percent("resolution_rate") == 100
    assert unit_rates(unit=tree["330108"], start=today, end=today).get("rated") == 0
    # The item then goes to another county: the ratings stay with the unit whose answer was rated.
    item_dispatch(actor=hz_operator, item=item, lead_unit=tree["330108"])
    assert unit_rates(unit=tree["330108"], start=today, end=today).get("rated") == 0
    assert figures_verify().ok
