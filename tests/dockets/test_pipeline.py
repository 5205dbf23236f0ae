"""The write pipeline: one durable transaction per action, the follow-up rating as one service.

Django's TestCase (and pytest-django's ``db`` fixture, which uses it) marks only its own
per-class and per-test atomic blocks as exempt from the durability check
(``Atomic._from_testcase``): a durable block opened inside any other atomic block raises here
exactly as in production, so these tests need no ``transaction=True``.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from qingdan.audit.models import AuditEntry
from qingdan.dockets.models import Item
from qingdan.dockets.services import followup as followup_module
from qingdan.dockets.services import (
    item_accept,
    item_close,
    item_dispatch,
    item_reopen,
    item_request_closure,
    item_update,
    submission_rate,
)
from qingdan.intake.models import Rating, Submission
from qingdan.intake.services import submission_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(make_item, tree, hz_operator, xh_handler, hz_supervisor, png):
    """A citizen's submission listed as an item of 西湖区 and closed: the citizen has the reply."""
    submission, _new = submission_create(actor=None, channel="web", kind="complaint", subject="污水外溢",
                                         text="小区门口污水井雨天外溢。", unit=tree["330106"], anonymous=True)
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(
        submissions=[submission])))
    item = item_request_closure(actor=xh_handler, item=item, reply="已疏通污水管网。", files=[("a.png", png)])
    item = item_close(actor=hz_supervisor, item=item, text="核验通过")
    return Submission.objects.get(pk=submission.pk), item


def test_a_step_called_inside_another_transaction_refuses_to_become_a_savepoint(answered, hz_supervisor):
    _submission, item = answered
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        item_reopen(actor=hz_supervisor, item=item, reason="问题复发")
    assert Item.objects.get(pk=item.pk).status == "closed"


def test_the_rating_service_refuses_to_run_inside_another_transaction(answered):
    submission, _item = answered
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        submission_rate(submission=submission, rating="unsatisfied", solved=False)
    assert not Rating.objects.filter(submission=submission).exists()


def test_an_edit_is_a_durable_step_too(make_item, hz_operator):
    item = make_item()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        item_update(actor=hz_operator, item=item, version=item.version, changes={"commitment": "六月底前"})
    assert Item.objects.get(pk=item.pk).commitment != "六月底前"


def test_an_unhappy_rating_reopens_the_item_exactly_once(answered):
    submission, item = answered
    submission_rate(submission=submission, rating="unsatisfied", solved=False, reason="雨天还是外溢")
    item.refresh_from_db()
    assert item.status == "rectifying" and item.reopened == 1
    assert item.events.filter(kind="reopened").count() == 1
    assert AuditEntry.objects.filter(action="dockets.item_reopened", object_id=str(item.pk)).count() == 1
    submission.refresh_from_db()
    assert submission.status == "dispatched" and submission.rating == ""
    assert Rating.objects.filter(submission=submission, satisfaction="unsatisfied").count() == 1


def test_a_satisfied_rating_closes_the_case_and_leaves_the_item_closed(answered):
    submission, item = answered
    submission_rate(submission=submission, rating="satisfied", solved=True)
    item.refresh_from_db()
    assert item.status == "closed" and item.reopened == 0
    assert Submission.objects.get(pk=submission.pk).status == "closed"


def test_a_failed_reopening_rolls_the_rating_back(answered, monkeypatch):
    """The rating and the reopening are one transaction: the answer stays unrated, to be rated again."""
    submission, item = answered

    def broken(**kwargs):
        raise RuntimeError("the reopening failed")

    monkeypatch.setattr(followup_module, "_item_reopen", broken)
    with pytest.raises(RuntimeError, match="reopening failed"):
        submission_rate(submission=submission, rating="unsatisfied", solved=False)
    assert not Rating.objects.filter(submission=submission).exists()
    assert not AuditEntry.objects.filter(action="intake.submission_rated", object_id=str(submission.pk)).exists()
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.rating == "" and fresh.rated_at is None
    assert Item.objects.get(pk=item.pk).status == "closed"
    monkeypatch.undo()
    submission_rate(submission=fresh, rating="unsatisfied", solved=False)  # and it can be rated again
    assert Item.objects.get(pk=item.pk).reopened == 1


def test_an_edit_refused_on_a_locked_field_is_audited_once(make_item, hz_operator):
    import datetime

    from qingdan.dockets.errors import ItemInvalid

    item = item_dispatch(actor=hz_operator, item=make_item())
    with pytest.raises(ItemInvalid) as exc:
        item_update(actor=hz_operator, item=item, version=item.version,
                    changes={"commitment": "改口", "deadline": datetime.date(2020, 1, 1)})
    assert set(exc.value.fields) == {"commitment", "deadline"}
    refused = AuditEntry.objects.filter(action="dockets.item_refused", object_id=str(item.pk))
    assert refused.count() == 1 and refused.get().after["fields"] == ["commitment", "deadline"]
    assert Item.objects.get(pk=item.pk).version == item.version


def test_a_service_published_with_durable_refuses_nesting_and_its_inner_form_joins(tree, xh_organizer):
    from qingdan.units.services import _unit_update, unit_update

    unit = tree["330106009"]
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        unit_update(actor=xh_organizer, unit=unit, name="北山街道（改）")
    with transaction.atomic():  # what the admin's save does, inside Django admin's transaction
        _unit_update(actor=xh_organizer, unit=unit, name="北山街道（改）")
    unit.refresh_from_db()
    assert unit.name == "北山街道（改）"
    assert unit_update.__name__ == "unit_update"
