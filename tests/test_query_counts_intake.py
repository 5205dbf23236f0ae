"""Query counts of the intake surfaces: the desk's lists, the submission list, its API and Open311's requests.

Pages: desk:submission_list, desk:caller (a caller's earlier submissions), desk:units (the unit picker).
API: GET /submissions/. Open311: open311:requests (requests.json and requests.xml).
Rows spread over the villages, streets and departments of both counties, with attachments and replies.
"""

from __future__ import annotations

import pytest

from qingdan.intake.models import Submission
from qingdan.intake.services import submission_create, submission_reply
from qingdan.people.services import token_create
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.models import Unit
from tests.conftest import png_bytes
from tests.open311.conftest import file_as, make_key, publish, xh_key  # noqa: F401 - fixtures
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db

PLACES = ["330106009001", "330106009002", "330106009", "330106-GA", "330108001", "330108-GA", "330106", "330108"]
PHONE = "13912345678"


def _submissions(tree, *, places=PLACES, actor=None, replier=None):
    def grow(start, stop):
        for index in range(start, stop):
            submission, _ = submission_create(
                actor=actor, channel="hotline" if index % 2 else "web", kind="complaint",
                subject=f"{label(index)}诉求", text=f"{label(index)}：小区门口的饭店油烟和噪音严重影响居民休息。",
                unit=tree[places[index % len(places)]], name="张三", phone=PHONE,
                category="环境保护", attachments=[(f"p{index}.png", png_bytes())] if index % 3 == 0 else ())
            if replier is not None and index % 2:
                submission_reply(actor=replier, submission=submission, text="已转交处理")
    return grow


@covers("desk:submission_list")
def test_desk_submission_list(client, tree, hz_operator):
    client.force_login(hz_operator)
    assert_flat(client, "/desk/submissions/", _submissions(tree, replier=hz_operator), bound=7)


@covers("desk:caller")
def test_desk_caller_history(client, tree, hz_operator):
    client.force_login(hz_operator)
    assert_flat(client, "/desk/caller/", _submissions(tree), data={"phone": PHONE}, bound=7)


@covers("desk:units")
def test_desk_unit_picker(client, tree, hz_operator):
    def grow(start, stop):
        for index in range(start, stop):
            parent = Unit.objects.get(code="330106009" if index % 2 else "330108001")
            Unit.objects.add_child(parent, {"code": f"{parent.code}{900 + index:03d}", "name": f"{label(index)}社区",
                                            "kind": UnitKind.REGION, "level": UnitLevel.VILLAGE})

    client.force_login(hz_operator)
    assert_flat(client, "/desk/units/", grow, data={"unit_q": "号社区"}, bound=7)


@covers("api GET /api/v1/submissions/")
def test_api_submission_list(client, tree, hz_operator):
    _, key = token_create(actor=hz_operator, user=hz_operator, name="query-count")
    assert_flat(client, "/api/v1/submissions/", _submissions(tree, replier=hz_operator),
                headers={"HTTP_AUTHORIZATION": f"Bearer {key}"}, bound=4)


@covers("open311:requests")
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_requests(client, tree, xh_key, publish, file_as, fmt):  # noqa: F811 - fixtures
    places = ["330106009001", "330106009002", "330106009", "330106-GA"]

    def grow(start, stop):
        _submissions(tree, places=places)(start, stop)
        made = list(Submission.objects.order_by("pk")[start:stop])
        for index, submission in enumerate(made):
            if index % 2:
                publish(submission, title=f"{label(start + index)}事项")
            else:
                file_as(submission)

    assert_flat(client, f"/open311/v2/requests.{fmt}", grow, data={"api_key": xh_key}, bound=3)
