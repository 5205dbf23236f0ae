"""The data migrations carry the ratings given so far into records, and stored schemes keep their meaning.

Before the records, a submission kept only its latest rating and a reopening erased it; the audit
trail kept every one. The state before the migration is rebuilt here (records and ``answered_by``
removed, rated figures dropped), then the migrations' own functions run on it.
"""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from qingdan.dockets.services import item_accept, item_close, item_dispatch, item_request_closure
from qingdan.intake.models import Rating, Submission
from qingdan.supervision.models import Figure, IndexScheme, Ranking, RankingRow
from qingdan.supervision.running import figures_verify
from qingdan.supervision.selectors import unit_rates

pytestmark = pytest.mark.django_db

carry = importlib.import_module("qingdan.dockets.migrations.0008_carry_ratings_into_records")
recount = importlib.import_module("qingdan.supervision.migrations.0002_rates_from_rating_records")


def test_every_rating_in_the_audit_trail_becomes_a_record_and_is_counted(submit, tree, make_item, hz_operator,
                                                                         xh_handler, hz_supervisor, png):
    def answer(item):
        item = item_request_closure(actor=xh_handler, item=item, reply="已整改。", files=[("a.png", png)])
        return item_close(actor=hz_supervisor, item=item)

    case = submit(unit=tree["330106"])
    item = answer(item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(
        submissions=[case]))))
    Client().post(f"/track/{case.tracking_code}/rate/", {"rating": "unsatisfied", "solved": "no",
                                                         "reason": "还是有异味"})
    item.refresh_from_db()
    answer(item)
    Client().post(f"/track/{case.tracking_code}/rate/", {"rating": "satisfied", "solved": "yes"})
    # A case rated without an audit entry (loaded straight into the table), held by a village, no item.
    loaded = submit(unit=tree["330106009001"])
    Submission.objects.filter(pk=loaded.pk).update(status="replied", reply="已答复", replied_at=timezone.now(),
                                                   rating="basic", rated_at=timezone.now())

    # The state before the records: the latest rating only, nothing about who answered.
    Rating.objects.all().delete()
    Submission.objects.update(answered_by=None)
    Figure.objects.filter(name__startswith="rated").delete()

    carry.forwards(apps, None)
    records = list(Rating.objects.order_by("at", "id").values_list("submission_id", "unit__code", "satisfaction",
                                                                   "solved", "reason"))
    assert records == [(case.pk, "330106", "unsatisfied", None, "还是有异味"),
                       (case.pk, "330106", "satisfied", None, ""),
                       (loaded.pk, "330106009001", "basic", None, "")]
    assert Submission.objects.get(pk=case.pk).answered_by == tree["330106"]
    assert Submission.objects.get(pk=loaded.pk).answered_by == tree["330106009001"]

    recount.forwards(apps, None)
    today = timezone.localdate()
    rates = unit_rates(unit=tree["330106"], start=today, end=today)
    assert rates.get("rated") == 3 and rates.percent("satisfaction_rate") == Decimal("66.67")
    assert rates.rate("resolution_rate") is None  # nobody was asked "solved?" before
    assert figures_verify().ok


def test_stored_schemes_and_rankings_keep_the_closure_share_under_its_new_name(tree):
    scheme = IndexScheme.objects.create(owner_unit=tree["3301"], version=1, green_at=85, yellow_at=70,
                                        weights={"response_rate": 20, "resolution_rate": 30})
    ranking = Ranking.objects.create(parent=tree["3301"], level=3, period_kind="month", scheme=scheme,
                                     starts_on=timezone.localdate(), ends_on=timezone.localdate())
    row = RankingRow.objects.create(ranking=ranking, unit=tree["330106"], rates={"resolution_rate": 80.0, "new": 10})

    recount.forwards(apps, None)
    scheme.refresh_from_db()
    row.refresh_from_db()
    assert scheme.weights == {"response_rate": 20, "closure_rate": 30}
    assert row.rates == {"closure_rate": 80.0, "new": 10}
    recount.backwards(apps, None)
    scheme.refresh_from_db()
    assert scheme.weights == {"response_rate": 20, "resolution_rate": 30}
