"""The whole loop through the services, who may take each step, and what is refused."""

import datetime

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import EventKind, ItemStatus
from qingdan.dockets.errors import ItemConflict, ItemInvalid, TransitionRefused
from qingdan.dockets.models import Evidence, Item
from qingdan.dockets.services import (
    item_accept,
    item_close,
    item_dispatch,
    item_progress,
    item_reopen,
    item_request_closure,
    item_return,
    item_send_back,
    item_stage_result,
    items_dispatch,
    items_fallback_stale_returns,
)

pytestmark = pytest.mark.django_db


def test_the_whole_loop(make_item, hz_operator, xh_handler, hz_supervisor, png):
    item = make_item()
    assert item.status == ItemStatus.LISTED and item.number == 1
    item = item_dispatch(actor=hz_operator, item=item)
    assert item.status == ItemStatus.DISPATCHED and item.dispatched_at
    item = item_accept(actor=xh_handler, item=item)
    assert item.status == ItemStatus.ACCEPTED and item.handler == xh_handler
    item = item_progress(actor=xh_handler, item=item, progress=40, measures="铺设新管道 2 公里", text="已开工")
    assert item.status == ItemStatus.RECTIFYING and item.progress == 40
    item = item_request_closure(actor=xh_handler, item=item, reply="管网已改造完毕，污水不再外溢。",
                                files=[("done.png", png)])
    assert item.status == ItemStatus.CLOSURE_REQUESTED and item.progress == 100
    assert Evidence.objects.filter(item=item).count() == 1
    item = item_close(actor=hz_supervisor, item=item, text="现场核验通过")
    assert item.status == ItemStatus.CLOSED and item.closed_by == hz_supervisor
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [EventKind.LISTED, EventKind.DISPATCHED, EventKind.ACCEPTED, EventKind.PROGRESS,
                     EventKind.CLOSURE_REQUESTED, EventKind.CLOSED]
    actions = set(AuditEntry.objects.filter(object_type="dockets.item", object_id=str(item.pk))
                  .values_list("action", flat=True))
    assert {"dockets.item_listed", "dockets.item_dispatched", "dockets.item_accepted",
            "dockets.item_closure_requested", "dockets.item_closed"} <= actions
    item = item_reopen(actor=hz_supervisor, item=item, reason="问题复发")
    assert item.status == ItemStatus.RECTIFYING and item.reopened == 1 and item.closed_at is None


def test_a_handler_cannot_close_its_own_item(make_item, hz_operator, tree, make_staff, png):
    # One person who both handles (西湖区) and supervises (杭州市): the second-person rule still holds.
    both = make_staff("both", "handler", tree["330106"])
    from qingdan.people.services import role_grant

    role_grant(actor="test", user=both, role="supervisor", unit=tree["3301"])
    item = item_dispatch(actor=hz_operator, item=make_item())
    item = item_accept(actor=both, item=item)
    item = item_request_closure(actor=both, item=item, reply="已完成", files=[("a.png", png)])
    with pytest.raises(PermissionDenied):
        item_close(actor=both, item=item)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.CLOSURE_REQUESTED
    assert AuditEntry.objects.filter(action="dockets.item_refused", object_id=str(item.pk),
                                     after__code="permission_denied").exists()


def test_only_the_lead_units_people_work_the_item(make_item, hz_operator, bj_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    with pytest.raises(PermissionDenied):
        item_accept(actor=bj_handler, item=item)
    with pytest.raises(PermissionDenied):  # an operator lists and dispatches but does not accept
        item_accept(actor=hz_operator, item=item)


def test_invalid_transitions_are_refused_with_the_state(make_item, hz_operator, xh_handler, hz_supervisor):
    item = make_item()
    with pytest.raises(TransitionRefused) as exc:
        item_accept(actor=xh_handler, item=item)
    assert str(ItemStatus.LISTED.label) in exc.value.message
    item = item_dispatch(actor=hz_operator, item=item)
    with pytest.raises(TransitionRefused):
        item_close(actor=hz_supervisor, item=item)
    with pytest.raises(TransitionRefused):
        item_dispatch(actor=hz_operator, item=item)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.DISPATCHED


def test_closure_needs_evidence_and_a_reply(make_item, hz_operator, xh_handler):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    with pytest.raises(ItemInvalid) as exc:
        item_request_closure(actor=xh_handler, item=item, reply="已完成")
    assert "files" in exc.value.fields
    with pytest.raises(ItemInvalid) as exc:
        item_request_closure(actor=xh_handler, item=item, reply="   ")
    assert "reply" in exc.value.fields
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ACCEPTED


def test_evidence_of_the_wrong_type_is_refused_and_nothing_is_saved(make_item, hz_operator, xh_handler):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    fake = b"<html><script>alert(1)</script></html>"
    with pytest.raises(ItemInvalid) as exc:
        item_progress(actor=xh_handler, item=item, progress=50, files=[("photo.png", fake)])
    assert "photo.png" in exc.value.fields["files"]
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.progress == 0 and fresh.status == ItemStatus.ACCEPTED
    assert not Evidence.objects.exists()
    assert not fresh.events.filter(kind=EventKind.PROGRESS).exists()


def test_send_back_then_close(make_item, hz_operator, xh_handler, hz_supervisor, png):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    item = item_request_closure(actor=xh_handler, item=item, reply="完成", files=[("a.png", png)])
    with pytest.raises(ItemInvalid):
        item_send_back(actor=hz_supervisor, item=item, reason="")
    item = item_send_back(actor=hz_supervisor, item=item, reason="照片看不出整改效果")
    assert item.status == ItemStatus.RECTIFYING
    # Evidence already given counts: a second request needs no new file.
    item = item_request_closure(actor=xh_handler, item=item, reply="补充说明：已全部完成")
    assert item_close(actor=hz_supervisor, item=item).status == ItemStatus.CLOSED


def test_stage_result_counts_apart_and_can_still_close(make_item, hz_operator, xh_handler, hz_supervisor, png):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    item = item_stage_result(actor=xh_handler, item=item, text="一期工程完工")
    assert item.status == ItemStatus.STAGE_RESULT and item.stage_result_at
    item = item_progress(actor=xh_handler, item=item, progress=80)
    assert item.status == ItemStatus.STAGE_RESULT  # stays a stage result while work goes on
    item = item_request_closure(actor=xh_handler, item=item, reply="二期完工", files=[("b.png", png)])
    assert item_close(actor=hz_supervisor, item=item).status == ItemStatus.CLOSED


def test_return_needs_a_reason_and_the_parent_takes_it_after_the_limit(make_item, hz_operator, xh_handler, tree,
                                                                      make_staff):
    lx_handler = make_staff("lx_handler", "handler", tree["330106009"])
    item = item_dispatch(actor=hz_operator, item=make_item(lead_unit=tree["330106009"]))
    with pytest.raises(ItemInvalid):
        item_return(actor=lx_handler, item=item, reason="")
    item = item_return(actor=lx_handler, item=item, reason="不属于本街道职责")
    assert item.status == ItemStatus.RETURNED and item.returns == 1
    item = item_dispatch(actor=hz_operator, item=item)  # re-dispatched to the same street
    item = item_return(actor=lx_handler, item=item, reason="仍不属于本街道职责")
    # The docket's limit is two returns: 西湖区, the street's parent, now holds it (兜底).
    assert item.status == ItemStatus.DISPATCHED
    assert item.lead_unit == tree["330106"]
    fallback = item.events.get(kind=EventKind.FALLBACK)
    assert fallback.data == {"from_unit": "330106009", "to_unit": "330106"}
    assert item_accept(actor=xh_handler, item=item).status == ItemStatus.ACCEPTED


def test_a_returned_item_left_too_long_goes_to_the_parent(make_item, hz_operator, tree, make_staff):
    from django.utils import timezone

    lx_handler = make_staff("lx_handler", "handler", tree["330106009"])
    item = item_dispatch(actor=hz_operator, item=make_item(lead_unit=tree["330106009"]))
    item_return(actor=lx_handler, item=item, reason="不属于本街道职责")
    now = timezone.now()
    assert items_fallback_stale_returns(now=now + datetime.timedelta(hours=47)) == 0
    assert Item.objects.get(pk=item.pk).lead_unit == tree["330106009"]
    assert items_fallback_stale_returns(now=now + datetime.timedelta(hours=49)) == 1
    moved = Item.objects.get(pk=item.pk)
    assert moved.lead_unit == tree["330106"] and moved.status == ItemStatus.DISPATCHED


def test_redispatch_to_another_unit(make_item, hz_operator, bj_handler, tree, xh_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    item = item_return(actor=xh_handler, item=item, reason="应由滨江区办理")
    item = item_dispatch(actor=hz_operator, item=item, lead_unit=tree["330108"])
    assert item.lead_unit == tree["330108"]
    assert item_accept(actor=bj_handler, item=item).handler == bj_handler


def test_a_stale_version_is_a_conflict_and_both_attempts_are_audited(make_item, hz_operator, xh_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    read_version = item.version
    item_accept(actor=xh_handler, item=item, version=read_version)
    with pytest.raises(ItemConflict):
        item_return(actor=xh_handler, item=item, reason="重复", version=read_version)
    assert AuditEntry.objects.filter(action="dockets.item_accepted", object_id=str(item.pk)).count() == 1
    refused = AuditEntry.objects.get(action="dockets.item_refused", object_id=str(item.pk))
    assert refused.after["attempt"] == "item_returned" and refused.after["code"] == "conflict"


def test_bulk_dispatch_reports_each_refusal(make_item, hz_operator, tree):
    from qingdan.dockets.services import item_update

    good = make_item()
    late = make_item(title="过期事项")
    Item.objects.filter(pk=late.pk).update(deadline=datetime.date(2020, 1, 1))
    late.refresh_from_db()
    done, refused = items_dispatch(actor=hz_operator, items=[good, late])
    assert [i.pk for i in done] == [good.pk]
    assert late.pk in refused and "2020-01-01" in refused[late.pk]
    assert Item.objects.get(pk=late.pk).status == ItemStatus.LISTED
    assert item_update  # the way to fix the deadline is item_update, covered in test_items


def test_working_day_deadline_is_set_at_dispatch(make_item, hz_operator):
    item = make_item(deadline=None, deadline_working_days=5)
    assert item.deadline is None
    item = item_dispatch(actor=hz_operator, item=item, on=datetime.date(2025, 9, 29))
    # 2025-09-29 (Mon) + 5 working days: 9-30, then the National Day holiday (10-1..10-8), 10-9, 10-10,
    # the make-up Saturday 10-11, and Monday 10-13.
    assert item.deadline == datetime.date(2025, 10, 13)
