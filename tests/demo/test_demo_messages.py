"""The demo's real messages load from the repository alone, once."""

from __future__ import annotations

import pytest

from qingdan.demo.services import demo_messages_load
from qingdan.intake.models import Submission

pytestmark = pytest.mark.django_db


def test_demo_messages_load_once_with_the_known_hot_issue(tree):
    created = demo_messages_load()
    assert created == Submission.objects.count() == 431
    assert demo_messages_load() == 0
    smoke = (Submission.objects.filter(text__contains="魅力之城")
             | Submission.objects.filter(subject__contains="魅力之城"))
    assert smoke.count() >= 31
    replied = Submission.objects.exclude(reply="")
    assert replied.count() == 150 and all(s.replied_at for s in replied[:20])
    assert set(Submission.objects.values_list("unit__code", flat=True)) == {"330106"}
