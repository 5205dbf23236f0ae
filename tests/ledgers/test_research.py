"""Research topics: owners, notes and reports linked to visits, and the items they led to."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.models import ResearchTopic
from qingdan.ledgers.selectors import research_figures
from qingdan.ledgers.services import topic_create, visit_record, writing_add
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def test_topic_with_notes_report_visit_and_item_through_the_pages(client, tree, lx_leader, xh_organizer):
    from qingdan.dockets.services import docket_create, item_create

    today = timezone.localdate()
    visit = visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=today)
    client.force_login(lx_leader)
    response = client.post("/ledgers/research/", {"unit": "330106009", "title": "村级集体经济调研",
                                                  "owners": "lx_leader", "started_on": today.isoformat()})
    topic = ResearchTopic.objects.get()
    assert response["Location"] == f"/ledgers/research/{topic.pk}/"
    client.post(f"/ledgers/research/{topic.pk}/", {"kind": "note", "title": "手记一", "text": "走访所见",
                                                    "written_on": today.isoformat(), "visits": [str(visit.pk)]})
    client.post(f"/ledgers/research/{topic.pk}/", {"kind": "report", "title": "调研报告", "text": "结论与建议",
                                                    "written_on": today.isoformat()})
    docket = docket_create(actor=xh_organizer, name="调研发现问题", owner_unit=tree["330106"], source="research")
    item = item_create(actor=xh_organizer, docket=docket, title="集体经济薄弱", lead_unit=tree["330106009"])
    client.post(f"/ledgers/research/{topic.pk}/", {"item": str(item.pk)})
    assert list(topic.items.all()) == [item]
    assert topic.writings.get(kind="note").visits.get() == visit
    figures = research_figures(unit=tree["330106"])
    assert (figures.topics, figures.notes, figures.reports, figures.items) == (1, 1, 1, 1)
    assert "集体经济薄弱" in client.get(f"/ledgers/research/{topic.pk}/").content.decode()


def test_writing_in_the_future_is_refused(tree, lx_leader):
    topic = topic_create(actor=lx_leader, unit=tree["330106009"], title="t", owners=[lx_leader],
                         started_on=timezone.localdate())
    with pytest.raises(LedgerInvalid):
        writing_add(actor=lx_leader, topic=topic, kind="note", title="x", text="y",
                    written_on=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(LedgerInvalid):
        topic_create(actor=lx_leader, unit=tree["330106009"], title="t", owners=[], started_on=timezone.localdate())


def test_a_note_is_signed_by_a_person_never_by_the_system(tree, lx_leader):
    from qingdan.core.actors import SYSTEM
    from qingdan.core.errors import PermissionDenied

    topic = topic_create(actor=lx_leader, unit=tree["330106009"], title="t", owners=[lx_leader],
                         started_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        writing_add(actor=SYSTEM, topic=topic, kind="note", title="x", text="y", written_on=timezone.localdate())
    writing = writing_add(actor=lx_leader, topic=topic, kind="note", title="x", text="y",
                          written_on=timezone.localdate())
    assert writing.author == lx_leader
    assert topic.writings.count() == 1
