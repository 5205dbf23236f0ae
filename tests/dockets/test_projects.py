"""Livelihood projects: milestones drive progress, weighted roll-up, versioned figures, the three counts."""

from __future__ import annotations

import datetime

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import DocketKind
from qingdan.dockets.errors import ItemConflict, ItemInvalid
from qingdan.dockets.projects import (
    milestone_add,
    milestone_reach,
    project_counts,
    project_figures_update,
    project_on_schedule,
)
from qingdan.dockets.services import docket_create, item_create
from qingdan.dockets.services.common import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(tree, xh_organizer):
    return docket_create(actor=xh_organizer, name="西湖区民生实事", owner_unit=tree["330106"],
                         kind=DocketKind.PROJECT, source="public")


def test_milestones_drive_progress_and_roll_up_by_weight(tree, xh_organizer, xh_handler, projects):
    parent = item_create(actor=xh_organizer, docket=projects, title="老旧小区改造", lead_unit=tree["330106"])
    a = item_create(actor=xh_organizer, docket=projects, title="一期", lead_unit=tree["330106"], parent=parent,
                    weight=3)
    item_create(actor=xh_organizer, docket=projects, title="二期", lead_unit=tree["330106"], parent=parent, weight=1)
    past = today() - datetime.timedelta(days=5)
    first = milestone_add(actor=xh_organizer, item=a, title="开工", due_on=past)
    milestone_add(actor=xh_organizer, item=a, title="完工", due_on=today() + datetime.timedelta(days=30))
    a.refresh_from_db()
    assert not project_on_schedule(a)  # 开工 is past due and not reached
    milestone_reach(actor=xh_handler, milestone=first, done_on=past)
    a.refresh_from_db()
    parent.refresh_from_db()
    assert a.progress == 50 and project_on_schedule(a)
    assert parent.progress == round((50 * 3 + 0 * 1) / 4)  # 38
    with pytest.raises(ItemInvalid):
        milestone_reach(actor=xh_handler, milestone=first, done_on=past)  # twice
    assert AuditEntry.objects.filter(action="dockets.project_milestone_reached").count() == 1


def test_figures_are_versioned_and_checked(tree, xh_organizer, bj_handler, projects):
    item = item_create(actor=xh_organizer, docket=projects, title="学校食堂", lead_unit=tree["330106"])
    updated = project_figures_update(actor=xh_organizer, item=item, planned_investment="120.5", beneficiaries=800,
                                     version=item.version)
    assert str(updated.planned_investment) == "120.50" and updated.beneficiaries == 800
    with pytest.raises(ItemConflict):
        project_figures_update(actor=xh_organizer, item=item, actual_investment=10, version=item.version)
    with pytest.raises(ItemInvalid):
        project_figures_update(actor=xh_organizer, item=item, actual_investment=-1)
    with pytest.raises(PermissionDenied):
        project_figures_update(actor=bj_handler, item=item, actual_investment=1)


def test_problem_items_have_no_milestones(tree, xh_organizer):
    docket = docket_create(actor=xh_organizer, name="问题清单", owner_unit=tree["330106"], source="public")
    item = item_create(actor=xh_organizer, docket=docket, title="路灯", lead_unit=tree["330106"])
    with pytest.raises(ItemInvalid):
        milestone_add(actor=xh_organizer, item=item, title="开工", due_on=today())


def test_counts_determined_completed_on_schedule(tree, xh_organizer, xh_handler, bj_handler, projects):
    from qingdan.dockets.models import Item

    late = item_create(actor=xh_organizer, docket=projects, title="道路", lead_unit=tree["330106009"])
    milestone_add(actor=xh_organizer, item=late, title="开工", due_on=today() - datetime.timedelta(days=1))
    fine = item_create(actor=xh_organizer, docket=projects, title="公园", lead_unit=tree["330106"])
    milestone_add(actor=xh_organizer, item=fine, title="开工", due_on=today() + datetime.timedelta(days=9))
    done = item_create(actor=xh_organizer, docket=projects, title="食堂", lead_unit=tree["330106"])
    Item.objects.filter(pk=done.pk).update(status="closed")  # closing runs the whole loop; tested in dockets
    item_create(actor=xh_organizer, docket=projects, title="子项", lead_unit=tree["330106"], parent=fine)
    counts = project_counts(user=xh_handler)
    assert (counts.determined, counts.completed, counts.on_schedule, counts.behind) == (3, 1, 2, 1)
    township = project_counts(user=xh_handler, unit=tree["330106009"])
    assert (township.determined, township.on_schedule) == (1, 0)
    assert project_counts(user=bj_handler).determined == 0  # out of scope


def test_the_item_page_shows_the_project_block_and_takes_its_forms(client, tree, xh_organizer, xh_handler, projects):
    item = item_create(actor=xh_organizer, docket=projects, title="农贸市场改造", lead_unit=tree["330106"])
    client.force_login(xh_organizer)
    response = client.post(f"/ledgers/projects/{item.pk}/milestones/",
                           {"title": "开工", "due_on": today().isoformat(), "version": item.version})
    assert response.status_code == 302 and response["Location"] == f"/dockets/items/{item.pk}/"
    client.post(f"/ledgers/projects/{item.pk}/figures/", {"planned_investment": "300", "beneficiaries": "1200",
                                                          "version": item.version + 1})
    page = client.get(f"/dockets/items/{item.pk}/").content.decode()
    assert 'id="milestones"' in page and "开工" in page and "1200" in page
    milestone = item.milestones.get()
    client.force_login(xh_handler)
    client.post(f"/ledgers/projects/{item.pk}/milestones/{milestone.pk}/reached/",
                {"done_on": today().isoformat(), "version": item.version + 2})
    milestone.refresh_from_db()
    item.refresh_from_db()
    assert milestone.done_on == today() and item.progress == 100


def test_a_problem_item_page_has_no_project_block(client, tree, xh_organizer):
    docket = docket_create(actor=xh_organizer, name="问题清单", owner_unit=tree["330106"], source="public")
    item = item_create(actor=xh_organizer, docket=docket, title="路灯", lead_unit=tree["330106"])
    client.force_login(xh_organizer)
    assert 'id="milestones"' not in client.get(f"/dockets/items/{item.pk}/").content.decode()
