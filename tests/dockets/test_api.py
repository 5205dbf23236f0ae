"""Items over the REST API: scoped reads, listing, steps, versions, and the public endpoints."""

import json

import pytest

from qingdan.people.services import token_create

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dockets"


@pytest.fixture
def bearer():
    def make(user) -> dict[str, str]:
        _, key = token_create(actor=user, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    return make


def send(client, method, url, headers, body=None):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def test_create_dispatch_accept_over_the_api(client, bearer, docket, hz_operator, xh_handler):
    operator, handler = bearer(hz_operator), bearer(xh_handler)
    response = send(client, "post", f"{BASE}/items", operator, {
        "docket": docket.pk, "title": "背街小巷路面破损", "lead_unit": "330106", "deadline_working_days": 10})
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "listed" and item["number"] == 1 and item["deadline"] is None
    response = send(client, "post", f"{BASE}/items/{item['id']}/dispatch", operator, {"version": item["version"]})
    assert response.status_code == 200 and response.json()["deadline"]
    version = response.json()["version"]
    response = send(client, "post", f"{BASE}/items/{item['id']}/accept", handler, {"version": version})
    assert response.json()["status"] == "accepted" and response.json()["handler"] == "xh_handler"
    kinds = [e["kind"] for e in response.json()["events"]]
    assert kinds == ["listed", "dispatched", "accepted"]


def test_errors_are_clear(client, bearer, docket, hz_operator, xh_handler, make_item):
    operator = bearer(hz_operator)
    response = send(client, "post", f"{BASE}/items", operator, {
        "docket": docket.pk, "title": "", "lead_unit": "999999", "deadline": "2020-01-01"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"lead_unit"}  # units are resolved before the rest is checked
    response = send(client, "post", f"{BASE}/items", operator, {
        "docket": docket.pk, "title": "", "lead_unit": "330106", "deadline": "2020-01-01"})
    assert response.status_code == 400 and set(response.json()["fields"]) == {"title", "deadline"}
    item = make_item()
    response = send(client, "post", f"{BASE}/items/{item.pk}/accept", bearer(xh_handler), {})
    assert response.status_code == 409 and response.json()["code"] == "transition_refused"
    response = send(client, "post", f"{BASE}/items/{item.pk}/fly", operator, {})
    assert response.status_code == 404


def test_patch_with_a_stale_version_is_409(client, bearer, make_item, hz_operator):
    item = make_item()
    headers = bearer(hz_operator)
    assert send(client, "patch", f"{BASE}/items/{item.pk}", headers,
                {"version": 1, "commitment": "三月底前完成"}).status_code == 200
    response = send(client, "patch", f"{BASE}/items/{item.pk}", headers, {"version": 1, "commitment": "别的"})
    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_a_neighbour_sees_nothing(client, bearer, make_item, bj_handler, tree):
    mine = make_item(title="滨江区事项", lead_unit=tree["330108"])
    other = make_item()
    headers = bearer(bj_handler)
    listed = client.get(f"{BASE}/items", **headers).json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]
    assert client.get(f"{BASE}/items/{other.pk}", **headers).status_code == 404
    assert send(client, "post", f"{BASE}/items/{other.pk}/accept", headers).status_code == 404


def test_public_endpoints_show_only_published(client, docket, hz_supervisor, make_item):
    from qingdan.dockets.services import docket_publish

    shown = make_item(title="公开事项", commitment="电话 13812345678", published=True)
    make_item(title="内部事项")
    assert client.get("/api/v1/public/dockets").json() == []
    docket_publish(actor=hz_supervisor, docket=docket, published=True)
    dockets = client.get("/api/v1/public/dockets").json()
    assert [d["id"] for d in dockets] == [docket.pk] and dockets[0]["counts"]["listed"] == 1
    items = client.get(f"/api/v1/public/dockets/{docket.pk}/items").json()
    assert [i["id"] for i in items] == [shown.pk]
    assert "13812345678" not in json.dumps(items, ensure_ascii=False)


def test_huge_numbers_are_not_found_not_a_crash(client, bearer, hz_operator, docket):
    headers = bearer(hz_operator)
    huge = 2**70
    assert client.get(f"{BASE}/items/{huge}", **headers).status_code == 404
    assert client.get(f"{BASE}/items", {"docket": huge}, **headers).status_code in (400, 422)
    assert client.get(f"{BASE}/items", {"offset": huge}, **headers).status_code in (400, 422)
    assert client.get(f"/api/v1/public/dockets/{huge}/items").status_code == 404
