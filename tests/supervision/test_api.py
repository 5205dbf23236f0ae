"""Figures and leaderboards in the REST API, limited to the caller's scope."""

import pytest
from django.test import Client

from tests.supervision.data import build_known

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(tree, docket):
    return build_known(tree, docket)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_figures_of_a_unit_and_its_children(known, hz_supervisor):
    body = client_for(hz_supervisor).get("/api/v1/supervision/units/3301/figures?period=2026-10").json()
    assert body["period"] == "2026-10"
    assert body["unit"]["figures"]["closed"] == 17
    assert body["unit"]["figures"]["on_time_rate"] == 82.35
    children = {c["code"]: c["figures"] for c in body["children"]}
    assert children["330106"]["response_rate"] == 90.0
    assert children["330110"]["satisfaction_rate"] is None
    assert body["by_status"]["closed"] == 19  # 17 in October and 2 in September, now closed


def test_leaderboard_in_the_api(known, hz_supervisor):
    body = client_for(hz_supervisor).get("/api/v1/supervision/units/3301/leaderboard?period=2026-10").json()
    assert [(r["code"], r["rank"], r["index"]) for r in body["rows"]] == [
        ("330108", 1, 100.0), ("330109", 1, 100.0), ("330106", 3, 81.0), ("330110", 4, 20.0)]
    assert body["weights_version"] == 1


def test_scope_and_bad_periods(known, xh_supervisor):
    client = client_for(xh_supervisor)
    assert client.get("/api/v1/supervision/units/330108/figures").status_code == 404
    assert client.get("/api/v1/supervision/units/3301/leaderboard").status_code == 404
    assert client.get("/api/v1/supervision/units/330106/leaderboard").status_code == 200
    response = client.get("/api/v1/supervision/units/330106/figures?period=2026-99")
    assert response.status_code == 400 and response.json()["code"] == "period_invalid"
