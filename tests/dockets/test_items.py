"""Listing and editing items: validation before any write, and no silent overwrite."""

import datetime
import threading

import pytest
from django.db import connection

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.errors import ItemConflict, ItemInvalid
from qingdan.dockets.models import Item, ItemEvent
from qingdan.dockets.services import item_create, item_progress, item_update

pytestmark = pytest.mark.django_db


def test_items_are_numbered_within_their_docket(make_item):
    assert [make_item().number for _ in range(3)] == [1, 2, 3]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "长" * 301}, "title"),
    ({"deadline": datetime.date(2020, 1, 1)}, "deadline"),
    ({"deadline_working_days": 0, "deadline": None}, "deadline_working_days"),
    ({"deadline_working_days": 5}, "deadline"),  # both a date and a number of days
    ({"priority": "whenever"}, "priority"),
])
def test_bad_fields_are_refused_and_nothing_is_saved(make_item, overrides, field):
    with pytest.raises(ItemInvalid) as exc:
        make_item(**overrides)
    assert field in exc.value.fields
    assert not Item.objects.exists() and not ItemEvent.objects.exists()
    assert not AuditEntry.objects.filter(action="dockets.item_listed").exists()


def test_units_outside_the_docket_or_retired_are_refused(make_item, tree):
    from qingdan.units.services import unit_retire

    with pytest.raises(ItemInvalid) as exc:
        make_item(lead_unit=tree["33"])  # the province is above the city's list
    assert "lead_unit" in exc.value.fields
    unit_retire(actor="test", unit=tree["330106009002"])
    from qingdan.units.models import Unit

    with pytest.raises(ItemInvalid) as exc:
        make_item(lead_unit=Unit.objects.get(code="330106009002"))
    assert "lead_unit" in exc.value.fields
    with pytest.raises(ItemInvalid) as exc:
        make_item(lead_unit=None)
    assert "lead_unit" in exc.value.fields


def test_a_handler_from_another_unit_is_refused(make_item, bj_handler):
    with pytest.raises(ItemInvalid) as exc:
        make_item(handler=bj_handler)
    assert "handler" in exc.value.fields


def test_only_list_offices_add_items(docket, tree, xh_handler, bj_handler):
    with pytest.raises(PermissionDenied):
        item_create(actor=xh_handler, docket=docket, title="x", lead_unit=tree["330106"])


def test_circular_parents_are_refused(make_item, hz_operator):
    top = make_item(title="总任务")
    child = make_item(title="子任务", parent=top)
    grandchild = make_item(title="孙任务", parent=child)
    for candidate in (grandchild, child):
        with pytest.raises(ItemInvalid) as exc:
            item_update(actor=hz_operator, item=top, version=top.version, changes={"parent": candidate})
        assert "parent" in exc.value.fields
    with pytest.raises(ItemInvalid):
        item_update(actor=hz_operator, item=top, version=top.version, changes={"parent": top})
    assert Item.objects.get(pk=top.pk).parent_id is None


def test_a_parent_from_another_docket_is_refused(make_item, hz_supervisor, tree):
    from qingdan.dockets.services import docket_create

    other = docket_create(actor=hz_supervisor, name="另一清单", owner_unit=tree["3301"])
    foreign = item_create(actor=hz_supervisor, docket=other, title="别的", lead_unit=tree["330106"])
    with pytest.raises(ItemInvalid) as exc:
        make_item(parent=foreign)
    assert "parent" in exc.value.fields


def test_progress_rolls_up_from_children(make_item, hz_operator, xh_handler, bj_handler, tree):
    from qingdan.dockets.services import item_accept, item_dispatch

    top = make_item(title="全市治理")
    a = make_item(title="西湖区部分", parent=top)
    b = make_item(title="滨江区部分", parent=top, lead_unit=tree["330108"], weight=3)
    a = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=a))
    b = item_accept(actor=bj_handler, item=item_dispatch(actor=hz_operator, item=b))
    item_progress(actor=xh_handler, item=a, progress=100)
    item_progress(actor=bj_handler, item=b, progress=20)
    assert Item.objects.get(pk=top.pk).progress == round((100 * 1 + 20 * 3) / 4)


def test_edit_with_a_stale_version_is_a_conflict(make_item, hz_operator, hz_supervisor):
    item = make_item()
    first = item_update(actor=hz_operator, item=item, version=1, changes={"commitment": "六月底前完成"})
    assert first.version == 2
    with pytest.raises(ItemConflict):
        item_update(actor=hz_supervisor, item=item, version=1, changes={"commitment": "年底前完成"})
    assert Item.objects.get(pk=item.pk).commitment == "六月底前完成"
    attempts = AuditEntry.objects.filter(object_id=str(item.pk), action__in=["dockets.item_edited",
                                                                              "dockets.item_refused"])
    assert sorted(attempts.values_list("action", flat=True)) == ["dockets.item_edited", "dockets.item_refused"]


def test_unknown_fields_cannot_be_edited(make_item, hz_operator):
    item = make_item()
    with pytest.raises(ItemInvalid) as exc:
        item_update(actor=hz_operator, item=item, version=1, changes={"status": "closed"})
    assert "status" in exc.value.fields


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_at_once_one_wins(tree, hz_supervisor, hz_operator):
    """Two threads with their own connections race on the same version: exactly one write lands."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite shares one cache between threads and fails with 'table is locked' "
                    "instead of waiting; the PostgreSQL run races for real")
    from qingdan.dockets.services import docket_create

    docket = docket_create(actor=hz_supervisor, name="竞争清单", owner_unit=tree["3301"])
    item = item_create(actor=hz_operator, docket=docket, title="同一事项", lead_unit=tree["330106"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, text):
        try:
            barrier.wait(timeout=10)
            item_update(actor=actor, item=Item.objects.get(pk=item.pk), version=1, changes={"commitment": text})
            outcomes.append("saved")
        except ItemConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(hz_operator, "甲")),
               threading.Thread(target=save, args=(hz_supervisor, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.version == 2 and fresh.commitment in {"甲", "乙"}
    actions = sorted(AuditEntry.objects.filter(object_id=str(item.pk), action__in=[
        "dockets.item_edited", "dockets.item_refused"]).values_list("action", flat=True))
    assert actions == ["dockets.item_edited", "dockets.item_refused"]


def test_a_new_kind_of_deadline_replaces_the_other(make_item, hz_operator):
    item = make_item(deadline=None, deadline_working_days=10)
    item = item_update(actor=hz_operator, item=item, version=item.version,
                       changes={"deadline": datetime.date.today() + datetime.timedelta(days=9)})
    assert item.deadline_working_days is None and item.due_on == item.deadline
    item = item_update(actor=hz_operator, item=item, version=item.version, changes={"deadline_working_days": 5})
    assert item.deadline is None and item.due_on is None and item.deadline_working_days == 5
    with pytest.raises(ItemInvalid) as exc:
        item_update(actor=hz_operator, item=item, version=item.version, changes={"deadline": datetime.date(2020, 1, 1)})
    assert "deadline" in exc.value.fields
