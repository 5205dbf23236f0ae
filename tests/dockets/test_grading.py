"""Grades follow the working-day calendar; only changes are touched, and their people are urged once."""

import datetime

import pytest
from django.core.management import call_command

from qingdan.dockets.choices import EventKind, Grade
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Item
from qingdan.dockets.services import grade_for, item_accept, item_dispatch, item_supervise, items_grade
from qingdan.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_grade_for_boundaries():
    on, soon = datetime.date(2025, 9, 29), datetime.date(2025, 10, 10)
    assert grade_for(None, on=on, soon=soon) == Grade.GREEN
    assert grade_for(datetime.date(2025, 10, 13), on=on, soon=soon) == Grade.GREEN
    assert grade_for(soon, on=on, soon=soon) == Grade.YELLOW
    assert grade_for(on, on=on, soon=soon) == Grade.YELLOW  # due today is not yet late
    assert grade_for(datetime.date(2025, 9, 28), on=on, soon=soon) == Grade.RED


def _dispatched(make_item, hz_operator, deadline):
    item = make_item(deadline=deadline)
    return item_dispatch(actor=hz_operator, item=item)


def test_grading_counts_working_days_across_national_day(make_item, hz_operator, xh_handler):
    """On 2025-09-29 with 3 working days' warning, 'soon' reaches 10-10: the holiday does not count."""
    on = datetime.date(2025, 9, 29)
    far = _dispatched(make_item, hz_operator, datetime.date(2026, 12, 31))
    mid = _dispatched(make_item, hz_operator, datetime.date(2026, 12, 30))
    Item.objects.filter(pk=far.pk).update(due_on=datetime.date(2025, 10, 13), grade=Grade.GREEN)
    Item.objects.filter(pk=mid.pk).update(due_on=datetime.date(2025, 10, 10), grade=Grade.GREEN)
    late = _dispatched(make_item, hz_operator, datetime.date(2026, 12, 29))
    Item.objects.filter(pk=late.pk).update(due_on=datetime.date(2025, 9, 26), grade=Grade.GREEN)
    run = items_grade(on=on)
    assert run.changed[Grade.YELLOW] == [mid.pk] and run.changed[Grade.RED] == [late.pk]
    grades = dict(Item.objects.values_list("pk", "grade"))
    assert grades == {far.pk: Grade.GREEN, mid.pk: Grade.YELLOW, late.pk: Grade.RED}
    assert Item.objects.get(pk=late.pk).events.filter(kind=EventKind.GRADED).count() == 1


def test_a_second_run_changes_nothing_and_urges_no_one_again(make_item, hz_operator, xh_handler):
    late = _dispatched(make_item, hz_operator, datetime.date(2026, 12, 29))
    Item.objects.filter(pk=late.pk).update(due_on=datetime.date(2025, 9, 26))
    Notification.objects.all().delete()
    items_grade(on=datetime.date(2025, 9, 29))
    urged = Notification.objects.filter(kind="items.late", recipient=xh_handler)
    assert urged.count() == 1
    again = items_grade(on=datetime.date(2025, 9, 29))
    assert again.total == 0 and urged.count() == 1


def test_listed_and_closed_items_are_not_graded(make_item):
    listed = make_item()
    Item.objects.filter(pk=listed.pk).update(due_on=datetime.date(2020, 1, 1))
    assert items_grade(on=datetime.date(2025, 1, 6)).total == 0
    assert Item.objects.get(pk=listed.pk).grade == Grade.GREEN


def test_supervision_deadline_counts_when_earlier(make_item, hz_operator, xh_handler, hz_supervisor):
    item = item_accept(actor=xh_handler, item=_dispatched(make_item, hz_operator,
                                                          datetime.date.today() + datetime.timedelta(days=200)))
    soon = datetime.date.today() + datetime.timedelta(days=1)
    item = item_supervise(actor=hz_supervisor, item=item, deadline=soon, text="限期整改")
    assert item.supervised and item.due_on == soon and item.grade == Grade.YELLOW
    assert Notification.objects.filter(kind="item.urged", recipient=xh_handler).exists()
    with pytest.raises(ItemInvalid):
        item_supervise(actor=hz_supervisor, item=item, deadline=datetime.date(2020, 1, 1))


def test_dispatch_and_closure_request_reach_the_right_people(make_item, hz_operator, xh_handler, hz_supervisor,
                                                             bj_handler, png):
    from qingdan.dockets.services import item_request_closure

    item = item_dispatch(actor=hz_operator, item=make_item())
    assert Notification.objects.filter(kind="item.dispatched", recipient=xh_handler).count() == 1
    assert not Notification.objects.filter(recipient=bj_handler).exists()
    item = item_accept(actor=xh_handler, item=item)
    item_request_closure(actor=xh_handler, item=item, reply="已完成", files=[("a.png", png)])
    assert Notification.objects.filter(kind="item.closure_requested", recipient=hz_supervisor).count() == 1


def test_tick_command(make_item, hz_operator, capsys):
    late = _dispatched(make_item, hz_operator, datetime.date(2026, 12, 29))
    Item.objects.filter(pk=late.pk).update(due_on=datetime.date(2020, 1, 1))
    call_command("dockets", "tick")
    assert Item.objects.get(pk=late.pk).grade == Grade.RED
    assert "graded" in capsys.readouterr().out
