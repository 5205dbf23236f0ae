"""List pages and list endpoints do a fixed number of queries, however many units they show."""

from __future__ import annotations

import pytest

from qingdan.people.services import token_create
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.models import Unit

pytestmark = pytest.mark.django_db


def _add_villages(parent: Unit, count: int) -> None:
    for index in range(count):
        parent = Unit.objects.get(pk=parent.pk)
        Unit.objects.add_child(parent, {"code": f"{parent.code}{900 + index:03d}", "name": f"测试{index}村",
                                        "kind": UnitKind.REGION, "level": UnitLevel.VILLAGE})


def _queries(run) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_unit_page_queries_do_not_grow_with_children(client, xh_handler, tree):
    client.force_login(xh_handler)
    few = _queries(lambda: client.get("/units/330106009/"))
    _add_villages(tree["330106009"], 20)
    many = _queries(lambda: client.get("/units/330106009/"))
    assert many == few
    assert many <= 9  # 9: the navigation reads the figure scope to show 数据看板 only to those who may (issue 17)


def test_api_search_queries_do_not_grow_with_results(client, xh_handler, tree):
    _, key = token_create(actor=xh_handler, user=xh_handler, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client.get("/api/v1/units/", {"q": "村"}, **headers)  # warm the token's last-used stamp
    few = _queries(lambda: client.get("/api/v1/units/", {"q": "村"}, **headers))
    _add_villages(tree["330106009"], 20)
    response_holder = {}
    many = _queries(lambda: response_holder.setdefault("r", client.get("/api/v1/units/", {"q": "村"}, **headers)))
    assert response_holder["r"].json()["count"] == 21
    assert many == few
