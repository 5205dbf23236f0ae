"""The demo's lists go through the real loop: the seeds' counters come out of the records."""

from __future__ import annotations

import pytest

from qingdan.demo.services import PROVINCE_ITEMS, demo_dockets_load, demo_messages_load
from qingdan.dockets.models import Docket, Item
from qingdan.dockets.selectors import docket_counts, public_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def cities(tree):
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.models import Unit

    province = Unit.objects.get(code="33")
    for n in range(2, 12):
        Unit.objects.add_child(province, {"code": f"33{n:02d}", "name": f"市{n}", "kind": UnitKind.REGION,
                                          "level": UnitLevel.CITY})
        province.refresh_from_db()


def test_demo_lists_have_the_expected_counters(cities):
    demo_messages_load()
    made = demo_dockets_load()
    assert made == len(PROVINCE_ITEMS) + 12
    provincial = Docket.objects.get(name__startswith="浙江省主题教育")
    counts = docket_counts(Item.objects.filter(docket=provincial))
    states = [state for *_, state in PROVINCE_ITEMS]
    assert counts.listed == len(PROVINCE_ITEMS)
    assert counts.closed == states.count("closed")
    assert counts.stage_results == states.count("stage_result")
    assert counts.overdue == states.count("overdue")
    assert public_items(provincial).count() == len(PROVINCE_ITEMS)
    hangzhou = Docket.objects.get(name="杭州市群众急难愁盼问题清单")
    closed = Item.objects.filter(docket=hangzhou, status="closed")
    assert closed.exists() and all(i.submissions.get().status == "replied" for i in closed)
    assert Item.objects.filter(docket=hangzhou, status="closure_requested").exists()  # work for the supervisor
    assert demo_dockets_load() == 0  # loaded once
