"""Intake fixtures: discipline bodies in the small tree, and a helper to submit."""

from __future__ import annotations

import pytest

from qingdan.people.choices import Role


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


@pytest.fixture
def submit(tree):
    """Create a submission through the real service with sensible defaults."""
    from qingdan.intake.services import submission_create

    def make(**overrides):
        fields = {"actor": None, "channel": "web", "kind": "complaint", "subject": "噪音扰民",
                  "text": "小区门口的饭店油烟和噪音严重影响居民休息。", "unit": tree["330106009"],
                  "name": "张三", "phone": "13812345678"}
        fields.update(overrides)
        submission, _ = submission_create(**fields)
        return submission

    return make
