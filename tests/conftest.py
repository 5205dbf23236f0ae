"""Shared fixtures: a small real-shaped tree (two counties side by side) and staff in it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QINGDAN_TESTING", "1")

from qingdan.units.choices import Role


@pytest.fixture
def tree(db):
    """Zhejiang › 杭州市 › 西湖区 (留下街道 › 两村) and 滨江区 (one street), with departments."""
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.models import Unit

    def add(parent, code, name, kind, level):
        fields = {"code": code, "name": name, "kind": kind, "level": level}
        return Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)

    zj = add(None, "33", "浙江省", UnitKind.REGION, UnitLevel.PROVINCE)
    hz = add(zj, "3301", "杭州市", UnitKind.REGION, UnitLevel.CITY)
    xh = add(hz, "330106", "西湖区", UnitKind.REGION, UnitLevel.COUNTY)
    lx = add(xh, "330106009", "留下街道", UnitKind.REGION, UnitLevel.TOWNSHIP)
    v1 = add(lx, "330106009001", "留下村", UnitKind.REGION, UnitLevel.VILLAGE)
    v2 = add(lx, "330106009002", "小和山社区", UnitKind.REGION, UnitLevel.VILLAGE)
    xh_ga = add(xh, "330106-GA", "西湖区公安局", UnitKind.DEPARTMENT, UnitLevel.COUNTY)
    bj = add(hz, "330108", "滨江区", UnitKind.REGION, UnitLevel.COUNTY)
    bj_st = add(bj, "330108001", "西兴街道", UnitKind.REGION, UnitLevel.TOWNSHIP)
    bj_ga = add(bj, "330108-GA", "滨江区公安局", UnitKind.DEPARTMENT, UnitLevel.COUNTY)
    return {u.code: Unit.objects.get(pk=u.pk) for u in (zj, hz, xh, lx, v1, v2, xh_ga, bj, bj_st, bj_ga)}


PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def make_staff(db):
    """Create a staff user with one role over a unit (through the real services)."""
    from qingdan.people.models import User
    from qingdan.people.services import role_grant

    def make(username: str, role: str, unit, home=None) -> User:
        user = User(username=username, display_name=username, home_unit=home or unit)
        user.set_password(PASSWORD)
        user.save()
        role_grant(actor="test", user=user, role=role, unit=unit)
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def xh_handler(tree, make_staff):
    return make_staff("xh_handler", Role.HANDLER, tree["330106"])


@pytest.fixture
def bj_handler(tree, make_staff):
    return make_staff("bj_handler", Role.HANDLER, tree["330108"])


@pytest.fixture
def zj_organizer(tree, make_staff):
    return make_staff("zj_organizer", Role.ORGANIZER, tree["33"])


@pytest.fixture
def xh_organizer(tree, make_staff):
    return make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles count in the cache: give every test a clean slate."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# -- the closed loop: a city list (杭州市) with items for its units, and its people ------------------

def png_bytes() -> bytes:
    """A tiny real PNG: evidence files are checked by content."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def png():
    return png_bytes()


@pytest.fixture
def hz_supervisor(tree, make_staff):
    return make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])


@pytest.fixture
def xh_supervisor(tree, make_staff):
    return make_staff("xh_supervisor", Role.SUPERVISOR, tree["330106"])


@pytest.fixture
def hz_operator(tree, make_staff):
    return make_staff("hz_operator", Role.OPERATOR, tree["3301"])


@pytest.fixture
def xh_leader(tree, make_staff):
    return make_staff("xh_leader", Role.LEADER, tree["330106"])


@pytest.fixture
def docket(tree, hz_supervisor):
    from qingdan.dockets.services import docket_create

    return docket_create(actor=hz_supervisor, name="杭州市民生问题清单", owner_unit=tree["3301"],
                         source="public", fallback_after_returns=2, fallback_after_hours=48)


@pytest.fixture
def make_item(docket, tree, hz_operator):
    """List an item through the real service; a deadline 60 days away unless told otherwise."""
    import datetime

    from qingdan.dockets.services import item_create

    def make(**overrides):
        fields = {"actor": hz_operator, "docket": docket, "title": "留下街道污水管网改造",
                  "lead_unit": tree["330106"], "commitment": "年底前完成管网改造",
                  "deadline": datetime.date.today() + datetime.timedelta(days=60)}
        fields.update(overrides)
        return item_create(**fields)

    return make


@pytest.fixture
def discipline(tree):
    """西湖区纪委监委 under 西湖区, 杭州市纪委监委 under 杭州市."""
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.models import Unit

    def add(parent_code: str, code: str, name: str, level: int) -> Unit:
        parent = Unit.objects.get(code=parent_code)
        return Unit.objects.add_child(parent, {"code": code, "name": name, "kind": UnitKind.DISCIPLINE,
                                               "level": level})

    return {"xh": add("330106", "330106-JW", "西湖区纪委监委", UnitLevel.COUNTY),
            "hz": add("3301", "3301-JW", "杭州市纪委监委", UnitLevel.CITY)}


@pytest.fixture
def xh_inspector(discipline, make_staff):
    return make_staff("xh_inspector", Role.SUPERVISOR, discipline["xh"])


@pytest.fixture
def hz_inspector(discipline, make_staff):
    return make_staff("hz_inspector", Role.SUPERVISOR, discipline["hz"])
