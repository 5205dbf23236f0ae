"""Intake fixtures: a helper to submit."""

from __future__ import annotations

import pytest


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
