"""GeoReport v2 over raw HTTP: documents, element names and order, errors, caps, scopes and hostile input."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qingdan.intake import codes
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_create, submission_reply
from qingdan.open311.services import key_revoke
from tests.open311.conftest import BASE, children, xml_of

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def _submit(unit, **overrides):
    fields = {"actor": None, "channel": "web", "kind": "complaint", "text": "小区门口垃圾堆放多日无人清理。",
              "unit": unit, "category": "环境保护", "name": "张三", "phone": "13812345678"}
    fields.update(overrides)
    return submission_create(**fields)[0]


def _errors(response) -> list[tuple[int, str]]:
    if response["Content-Type"].startswith("application/json"):
        return [(e["code"], e["description"]) for e in response.json()]
    root = xml_of(response)
    assert root.tag == "errors" and all(child.tag == "error" for child in root)
    for error in root:
        assert children(error) == ["code", "description"]
    return [(int(e.findtext("code")), e.findtext("description")) for e in root]


# --- discovery, services, service definitions ------------------------------------------------

def test_discovery_in_xml_and_json(client):
    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert data["endpoints"][0]["type"] == "production"


def test_services_are_the_fifteen_categories(client):
    root = xml_of(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root) == 15
    first = root[0]
    assert first.tag == "service"
    assert children(first) == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                               "group"]
    assert (first.findtext("service_code"), first.findtext("service_name")) == ("urban-rural-construction", "城乡建设")
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"
    data = client.get(f"{BASE}/services.json").json()
    assert isinstance(data, list) and len(data) == 15
    assert {s["service_name"] for s in data} >= {"环境保护", "劳动和社会保障", "科技与信息产业"}
    assert len({s["service_code"] for s in data}) == 15
    assert data[0]["metadata"] is True


def test_service_definition(client):
    root = xml_of(client.get(f"{BASE}/services/environment.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert children(attribute)[:7] == ["variable", "code", "datatype", "required", "datatype_description",
                                       "order", "description"]
    assert attribute.findtext("code") == "kind" and attribute.findtext("datatype") == "singlevaluelist"
    keys = [value.findtext("key") for value in attribute.find("values")]
    assert "complaint" in keys and "report" not in keys
    data = client.get(f"{BASE}/services/environment.json").json()
    assert data["service_code"] == "environment"
    assert [a["order"] for a in data["attributes"]] == [1, 2]


def test_unknown_service_and_jurisdiction_are_404_error_lists(client):
    response = client.get(f"{BASE}/services/potholes.xml")
    assert response.status_code == 404 and "potholes" in _errors(response)[0][1]
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "999999"})
    assert response.status_code == 404 and _errors(response)[0][0] == 404


def test_services_accept_a_known_jurisdiction(client, tree):
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "330106"}).status_code == 200


def test_unknown_resources_and_formats_are_404_error_lists(client):
    for path in ("/nothing.json", "/services.html", "/requests.csv", "/"):
        response = client.get(BASE + path)
        if path == "/":
            assert response.status_code == 200  # the endpoint root serves the discovery document
            continue
        assert response.status_code == 404 and _errors(response)[0][0] == 404


def test_wrong_method_is_a_400_error_list(client):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 400 and "POST" in _errors(response)[0][1]


# --- POST requests -----------------------------------------------------------------------------

def test_post_creates_an_open311_complaint_and_returns_its_public_id(post_request, tree):
    response = post_request("json", email="zhang@example.cn", first_name="三", last_name="张", phone="13812345678",
                            account_id="app-user-7", device_id="ABC-123",
                            **{"attribute[subject]": "路灯不亮", "attribute[unknown]": "ignored"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert isinstance(data, list) and len(data) == 1
    assert list(data[0]) == ["service_request_id", "service_notice", "account_id"]
    assert data[0]["account_id"] == "app-user-7"
    submission = Submission.objects.get(public_id=data[0]["service_request_id"])  # committed before answering
    assert submission.tracking_code not in response.content.decode()  # the citizen's credential stays out
    assert submission.open311_filing.key.name == "xihu-app"  # the key that filed it reads it in full
    assert (submission.channel, submission.kind, submission.category) == ("open311", "complaint", "城乡建设")
    assert submission.unit == tree["330106"] and submission.subject == "路灯不亮"
    assert (submission.submitter_name, submission.submitter_phone) == ("张三", "13812345678")
    assert submission.submitter_ref == "app-user-7" and submission.source == "open311:xihu-app"
    assert str(submission.latitude) == "30.274100"
    assert "ABC-123" not in str(Submission.objects.filter(pk=submission.pk).values().get())  # no device id kept


def test_post_in_xml_answers_the_spec_shape(post_request):
    response = post_request("xml", address_string="西湖区留下街道 留下村村口", lat=None, long=None)
    root = xml_of(response)
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    assert children(root[0]) == ["service_request_id", "service_notice", "account_id"]
    code = root[0].findtext("service_request_id")
    assert Submission.objects.get(public_id=code).place_text == "西湖区留下街道 留下村村口"


def test_post_with_address_id_places_it_on_a_unit_of_the_jurisdiction(post_request, tree):
    code = post_request(address_id="330106009001", lat=None, long=None).json()[0]["service_request_id"]
    assert Submission.objects.get(public_id=code).place_unit == tree["330106009001"]
    response = post_request(address_id="330108001", lat=None, long=None)  # the neighbour county's street
    assert response.status_code == 400 and "address_id" in _errors(response)[0][1]


def test_post_kind_attribute_and_a_lower_jurisdiction(post_request, tree):
    response = post_request(jurisdiction_id="330106009", **{"attribute[kind]": "suggestion"})
    submission = Submission.objects.get(public_id=response.json()[0]["service_request_id"])
    assert submission.kind == "suggestion" and submission.unit == tree["330106009"]
    response = post_request(**{"attribute[kind]": "report"})
    assert response.status_code == 400 and "attribute[kind]" in _errors(response)[0][1]


def test_post_without_contact_is_anonymous(post_request):
    code = post_request().json()[0]["service_request_id"]
    assert Submission.objects.get(public_id=code).anonymous


def test_post_media_url_is_kept_in_the_text_not_fetched(post_request):
    code = post_request(media_url="https://img.example.cn/lamp.jpg").json()[0]["service_request_id"]
    assert Submission.objects.get(public_id=code).text.endswith("\nhttps://img.example.cn/lamp.jpg")
    response = post_request(media_url="javascript:alert(1)")
    assert response.status_code == 400 and "media_url" in _errors(response)[0][1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_missing_or_invalid_api_key_is_403(post_request, fmt):
    for key in ("", "o311_not-a-key", "qd_a-rest-token"):
        response = post_request(fmt, key=key)
        assert response.status_code == 403
        code, description = _errors(response)[0]
        assert code == 403 and "api_key" in description
    assert Submission.objects.count() == 0


def test_revoked_key_is_403(post_request, make_key):
    record, key = make_key("old-app")
    assert post_request(key=key).status_code == 200
    key_revoke(actor="test", key=record)
    response = post_request(key=key)
    assert response.status_code == 403 and "api_key" in _errors(response)[0][1]


def test_jurisdiction_outside_the_keys_unit_is_403(post_request):
    for outside in ("330108", "3301"):  # the neighbour county, and the city above the key's county
        response = post_request(jurisdiction_id=outside)
        assert response.status_code == 403 and outside in _errors(response)[0][1]
    assert post_request(jurisdiction_id="000000").status_code == 404
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(("fields", "status", "named"), [
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "potholes"}, 404, "potholes"),
    ({"lat": "north", "long": "120.1"}, 400, "lat"),
    ({"lat": "95", "long": "120.1"}, 400, "lat"),
    ({"lat": "30.2", "long": None}, 400, "long"),
    ({"lat": None, "long": None}, 400, "address_string"),
    ({"description": ""}, 400, "description"),
    ({"description": "路" * 4001}, 400, "4,000"),
    ({"description": "x" * 100_000}, 400, "100,000"),
    ({"description": "😀😡🔥" * 5}, 400, "description"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"first_name": "王五"}, 400, "phone"),
])
def test_bad_requests_get_clear_error_lists_and_store_nothing(post_request, fields, status, named):
    response = post_request("xml", **fields)
    assert response.status_code == status
    errors = _errors(response)
    assert all(code == status for code, _ in errors)
    assert any(named in description for _, description in errors), errors
    assert Submission.objects.count() == 0


def test_several_bad_fields_come_back_as_several_errors(post_request):
    response = post_request("json", lat="north", long="120.1", email="nope", phone="12")
    assert response.status_code == 400
    assert len(response.json()) >= 2


def test_invalid_utf8_body_is_refused(client, xh_key):
    body = f"api_key={xh_key}&service_code=environment&lat=30.2&long=120.1&description=".encode() + b"\xff\xfe\xc3"
    response = client.post(f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "UTF-8" in _errors(response)[0][1]
    escaped = f"api_key={xh_key}&service_code=environment&lat=30.2&long=120.1&description=%FF%FEabc".encode()
    response = client.post(f"{BASE}/requests.json", escaped, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_oversized_body_is_a_400_error_list(client, xh_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = f"api_key={xh_key}&service_code=environment&lat=30.2&long=120.1&description={'x' * 20_000}"
    response = client.post(f"{BASE}/requests.xml", body, content_type="application/x-www-form-urlencoded",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "too large" in _errors(response)[0][1]


def test_api_key_in_the_query_string_and_multivalue_attributes(client, xh_key):
    response = client.post(f"{BASE}/requests.json?api_key={xh_key}",
                           "service_code=transport&address_string=%E6%9D%91%E5%8F%A3&description=%E8%B7%AF%E7%81%AF"
                           "&attribute[kind][]=help&attribute[kind][]=question",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.content
    assert Submission.objects.get().kind == "help" and Submission.objects.get().text == "路灯"


def test_post_needs_no_csrf_token(xh_key, tree):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"{BASE}/requests.json", {"api_key": xh_key, "service_code": "environment",
                                                     "address_string": "留下村", "description": "河道有油污。"})
    assert response.status_code == 200


def test_multipart_post_is_accepted_too(client, xh_key):
    response = client.post(f"{BASE}/requests.json", {"api_key": xh_key, "service_code": "environment",
                                                     "address_string": "留下村", "description": "河道有油污。"})
    assert response.status_code == 200 and Submission.objects.get().category == "环境保护"


# --- GET requests ------------------------------------------------------------------------------

def test_the_filing_key_reads_its_request_back_in_full_in_spec_order(client, post_request, xh_key):
    code = post_request(email="zhang@example.cn", phone="13812345678", first_name="三", last_name="张",
                        address_string="留下村村口").json()[0]["service_request_id"]
    response = client.get(f"{BASE}/requests/{code}.xml", {"api_key": xh_key})
    root = xml_of(response)
    assert root.tag == "service_requests" and children(root) == ["request"]  # one request is still a list
    request = root[0]
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("service_request_id") == code
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "urban-rural-construction"
    assert request.findtext("agency_responsible") == "西湖区"
    assert request.findtext("address") == "留下村村口"
    assert request.findtext("description") == "路灯坏了三天，晚上很黑。"
    assert request.findtext("requested_datetime").endswith("+08:00")
    assert (request.findtext("lat"), request.findtext("long")) == ("30.2741", "120.1551")
    data = client.get(f"{BASE}/requests/{code}.json", {"api_key": xh_key}).json()
    assert isinstance(data, list) and list(data[0]) == REQUEST_FIELDS
    assert data[0]["lat"] == 30.2741 and data[0]["expected_datetime"] is None
    tracking = Submission.objects.get(public_id=code).tracking_code
    for body in (response.content.decode(), json.dumps(data, ensure_ascii=False)):
        assert "13812345678" not in body and "zhang@" not in body and "张三" not in body
        assert tracking not in body


def test_status_mapping_and_notes(client, tree, xh_handler, xh_key, file_as):
    submission = _submit(tree["330106"])
    file_as(submission)

    def read() -> dict:
        return client.get(f"{BASE}/requests/{submission.public_id}.json", {"api_key": xh_key}).json()[0]

    data = read()
    assert data["status"] == "open" and data["status_notes"]  # "received", by name
    submission_reply(actor=xh_handler, submission=submission, text="已安排环卫清运。")
    data = read()
    assert data["status"] == "closed" and data["status_notes"] == "已安排环卫清运。"
    assert data["service_code"] == "environment"
    Submission.objects.filter(pk=submission.pk).update(status="dispatched")
    assert read()["status"] == "open"
    for closed in ("closed", "rejected"):
        Submission.objects.filter(pk=submission.pk).update(status=closed)
        assert read()["status"] == "closed"


def test_a_request_is_read_by_its_public_id_in_any_case(client, tree, publish):
    submission = _submit(tree["330106"])
    publish(submission)
    found = client.get(f"{BASE}/requests/{submission.public_id.lower()}.json").json()
    assert found[0]["service_request_id"] == submission.public_id
    assert client.get(f"{BASE}/requests/{submission.public_id[:-1]}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{submission.public_id}.json",
                      {"jurisdiction_id": "330108"}).status_code == 404  # not in that jurisdiction


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_tracking_code_given_as_service_request_id_is_404(client, tree, publish, post_request, xh_key, fmt):
    public = _submit(tree["330106"])
    publish(public)
    filed = Submission.objects.get(public_id=post_request().json()[0]["service_request_id"])
    for submission in (public, filed):
        code = submission.tracking_code
        dashed = "-".join(code[i:i + 4] for i in range(0, 14, 4)).lower()
        for typed in (code, dashed):
            for params in ({}, {"api_key": xh_key}):
                assert client.get(f"{BASE}/requests/{typed}.{fmt}", params).status_code == 404
                assert client.get(f"{BASE}/tokens/{typed}.{fmt}", params).status_code == 404
                response = client.get(f"{BASE}/requests.{fmt}", {"service_request_id": typed, **params})
                assert response.status_code == 404
                # no oracle: a live tracking code is answered exactly like one that never existed
                unknown = codes.new_code()
                other = client.get(f"{BASE}/requests.{fmt}", {"service_request_id": unknown, **params})
                assert other.content.decode().replace(unknown, typed) == response.content.decode()


def test_reports_against_officials_are_never_shown(client, tree, xh_key, publish, file_as):
    report = _submit(tree["330106"], kind="report", accused_unit=tree["330106-GA"], anonymous=True)
    publish(report)  # even linked to a published item
    file_as(report)  # and even as if the key had filed it
    for params in ({}, {"api_key": xh_key}):
        assert client.get(f"{BASE}/requests/{report.public_id}.xml", params).status_code == 404
        assert client.get(f"{BASE}/tokens/{report.public_id}.xml", params).status_code == 404
        assert client.get(f"{BASE}/requests.json", params).json() == []
        named = client.get(f"{BASE}/requests.json", {"service_request_id": report.public_id, **params}).json()
        assert named == []


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_keyless_listing_shows_public_requests_with_public_fields_only(client, tree, publish, post_request, fmt):
    public = _submit(tree["330106"], text="我家住留下村12号，电话13900001111，门口垃圾没人管。",
                     place_text="留下村12号", latitude="30.274100", longitude="120.155100",
                     place_unit=tree["330106009001"])
    publish(public, title="留下村垃圾清运", reply="已增设垃圾桶并每日清运。")
    private = _submit(tree["330106"], text="不公开的诉求：邻居噪音扰民。")
    filed = post_request(description="通过应用提交、尚未公开的诉求。").json()[0]["service_request_id"]
    response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        rows = response.json()
    else:
        rows = [{child.tag: child.text or "" for child in request} for request in xml_of(response)]
    assert [row["service_request_id"] for row in rows] == [public.public_id]
    row = rows[0]
    assert row["description"] == "留下村垃圾清运" and row["status_notes"] == "已增设垃圾桶并每日清运。"
    assert row["address"] == tree["330106009001"].name and row["address_id"] == "330106009001"
    assert row["lat"] in ("", None) and row["long"] in ("", None)
    body = response.content.decode()
    for secret in (public.tracking_code, private.tracking_code, private.public_id, filed, "13900001111",
                   "留下村12号", "13812345678", "张三", "邻居噪音", "尚未公开", "30.2741"):
        assert secret not in body, secret


def test_a_key_sees_in_full_only_the_requests_it_filed(client, tree, make_key, post_request, publish):
    _record, other_key = make_key("other-app", "330106")
    mine = post_request(description="我的应用提交的诉求。").json()[0]["service_request_id"]
    theirs = post_request(key=other_key, description="另一个应用提交的诉求，含隐私。").json()[0]["service_request_id"]
    listed = client.get(f"{BASE}/requests.json", {"api_key": other_key}).json()
    assert [r["service_request_id"] for r in listed] == [theirs]
    for params in ({"api_key": other_key}, {}):  # the other key, and nobody, cannot read mine at all
        assert client.get(f"{BASE}/requests/{mine}.json", params).status_code == 404
        assert client.get(f"{BASE}/requests.json", {"service_request_id": mine, **params}).json() == []
    publish(Submission.objects.get(public_id=mine), title="路灯维修")
    seen = client.get(f"{BASE}/requests/{mine}.json", {"api_key": other_key}).json()[0]
    assert seen["description"] == "路灯维修"  # once public: the public fields, not my text
    body = client.get(f"{BASE}/requests.json", {"api_key": other_key}).content.decode()
    assert "我的应用提交的诉求" not in body and Submission.objects.get(public_id=mine).tracking_code not in body
    own = client.get(f"{BASE}/requests/{theirs}.json", {"api_key": other_key}).json()[0]
    assert own["description"] == "另一个应用提交的诉求，含隐私。"
    assert client.get(f"{BASE}/requests.json", {"api_key": "o311_wrong"}).status_code == 403


def test_a_revoked_key_reads_nothing_in_full_any_more(client, tree, make_key, post_request):
    record, key = make_key("old-app", "330106")
    code = post_request(key=key).json()[0]["service_request_id"]
    key_revoke(actor="test", key=record)
    assert client.get(f"{BASE}/requests/{code}.json", {"api_key": key}).status_code == 403
    assert client.get(f"{BASE}/requests/{code}.json").status_code == 404


def test_keyless_lookups_share_the_track_rate_limit(client, tree, publish, settings):
    settings.QINGDAN_TRACK_RATE_IP = "3/m"
    submission = _submit(tree["330106"])
    publish(submission)
    assert client.get(f"/track/{submission.tracking_code}/").status_code == 200  # one from the portal's bucket
    assert client.get(f"{BASE}/requests/{submission.public_id}.json").status_code == 200
    assert client.get(f"{BASE}/tokens/{submission.public_id}.xml").status_code == 200
    limited = client.get(f"{BASE}/requests.xml", {"service_request_id": submission.public_id})
    assert limited.status_code == 429 and _errors(limited)[0][0] == 429
    assert client.get(f"{BASE}/requests/{submission.public_id}.json").status_code == 429
    assert client.get(f"/track/{submission.tracking_code}/").status_code == 429  # the same bucket


def test_filters_service_code_and_status(client, tree, xh_handler, publish):
    env = _submit(tree["330106"], category="环境保护")
    road = _submit(tree["330106"], category="交通运输")
    publish(env, road)
    submission_reply(actor=xh_handler, submission=road, text="已修复。")

    def ids(**params):
        data = client.get(f"{BASE}/requests.json", params).json()
        return {r["service_request_id"] for r in data}

    assert ids(service_code="environment") == {env.public_id}
    assert ids(service_code="environment,transport") == {env.public_id, road.public_id}
    assert ids(status="open") == {env.public_id}
    assert ids(status="closed") == {road.public_id}
    assert ids(status="open,closed") == {env.public_id, road.public_id}
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"service_code": "nope"}).status_code == 400


def test_default_window_is_the_last_90_days_and_spans_are_capped(client, tree, publish):
    now = timezone.now()
    recent = _submit(tree["330106"], created_at=now - datetime.timedelta(days=10))
    old = _submit(tree["330106"], created_at=now - datetime.timedelta(days=120))
    publish(recent, old)

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [recent.public_id]
    start = (now - datetime.timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now - datetime.timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=start, end_date=end) == [old.public_id]
    assert ids(start_date=start) == [old.public_id]  # start alone: 90 days from it
    assert ids(end_date=end) == [old.public_id]  # end alone: the 90 days before it
    assert ids(start_date=(now - datetime.timedelta(days=11)).isoformat()) == [recent.public_id]
    too_long = client.get(f"{BASE}/requests.xml", {"start_date": "2026-01-01T00:00:00Z",
                                                    "end_date": "2026-06-01T00:00:00Z"})
    assert too_long.status_code == 400 and "90" in _errors(too_long)[0][1]
    backwards = client.get(f"{BASE}/requests.xml", {"start_date": "2026-06-01", "end_date": "2026-05-01"})
    assert backwards.status_code == 400
    malformed = client.get(f"{BASE}/requests.xml", {"start_date": "yesterday"})
    assert malformed.status_code == 400 and "start_date" in _errors(malformed)[0][1]


def test_named_ids_override_the_window(client, tree, publish):
    old = _submit(tree["330106"], created_at=timezone.now() - datetime.timedelta(days=400))
    publish(old)
    data = client.get(f"{BASE}/requests.json", {"service_request_id": old.public_id}).json()
    assert [r["service_request_id"] for r in data] == [old.public_id]


def test_at_most_1000_requests_newest_first(client, tree, make_item):
    from qingdan.dockets.models import Docket, ItemSubmission

    now = timezone.now()
    rows = Submission.objects.bulk_create([
        Submission(tracking_code=codes.new_code(), channel="import", subject=f"#{i}", text="路灯坏了",
                   category="交通运输", unit=tree["330106009"], created_at=now - datetime.timedelta(minutes=i))
        for i in range(1005)
    ])
    item = make_item()
    type(item).objects.filter(pk=item.pk).update(published=True)
    Docket.objects.filter(pk=item.docket_id).update(published=True)
    ItemSubmission.objects.bulk_create([ItemSubmission(item=item, submission=row) for row in rows])
    response = client.get(f"{BASE}/requests.json")
    data = response.json()
    assert len(data) == 1000
    stamps = [r["requested_datetime"] for r in data]
    assert stamps == sorted(stamps, reverse=True)
    assert len(xml_of(client.get(f"{BASE}/requests.xml"))) == 1000


def test_listing_takes_the_same_queries_for_3_or_30_requests(client, tree, xh_key, publish, file_as):
    def count() -> int:
        client.get(f"{BASE}/requests.json", {"api_key": xh_key})  # key last-used stamp written once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{BASE}/requests.json", {"api_key": xh_key})
            assert response.status_code == 200
        return len(queries), len(response.json())

    def add(n: int) -> None:
        batch = [_submit(tree["330106009"], anonymous=True) for _ in range(n)]
        publish(*batch[: n // 2])
        for submission in batch[n // 2:]:
            file_as(submission)

    add(4)
    few, listed = count()
    assert listed == 4
    add(26)
    many, listed = count()
    assert listed == 30 and many == few <= 3


def test_tokens_resolve_to_the_request_itself(client, tree, publish):
    submission = _submit(tree["330106"])
    publish(submission)
    root = xml_of(client.get(f"{BASE}/tokens/{submission.public_id}.xml"))
    assert root.tag == "service_requests" and children(root[0]) == ["service_request_id", "token"]
    assert root[0].findtext("service_request_id") == submission.public_id
    assert client.get(f"{BASE}/tokens/unknown-token.json").status_code == 404


# --- hostile input -------------------------------------------------------------------------------

def test_script_and_sql_come_back_escaped_in_xml_and_json(client, post_request, xh_key):
    text = "<script>alert('x')</script> & '; DROP TABLE intake_submission; -- 路燈壞了"
    code = post_request(description=text, address_string="<b>村口</b>").json()[0]["service_request_id"]
    mine = {"api_key": xh_key}
    xml_body = client.get(f"{BASE}/requests/{code}.xml", mine).content.decode()
    assert "<script>" not in xml_body and "&lt;script&gt;" in xml_body and "&amp; '" in xml_body
    assert xml_of(client.get(f"{BASE}/requests/{code}.xml", mine))[0].findtext("description") == text
    json_body = client.get(f"{BASE}/requests/{code}.json", mine).content.decode()
    assert "<script>" not in json_body and "\\u003cscript\\u003e" in json_body
    assert json.loads(json_body)[0]["description"] == text
    assert Submission.objects.get(public_id=code).text == text


def test_control_characters_never_break_the_xml(client, tree, xh_key, file_as):
    submission = _submit(tree["330106"], place_text="村口\x0b\x1f", text="路灯\x00坏了\x08很久")
    file_as(submission)
    root = xml_of(client.get(f"{BASE}/requests/{submission.public_id}.xml", {"api_key": xh_key}))
    assert root[0].findtext("description") == "路灯坏了很久"


def test_hostile_query_strings_are_error_lists_not_crashes(client, xh_key):
    for params in ({"start_date": "9999-99-99T99:99:99Z"}, {"start_date": "\x00"}, {"status": "<script>"},
                   {"service_request_id": "'; DROP TABLE x; --"}, {"jurisdiction_id": "x" * 500}):
        response = client.get(f"{BASE}/requests.json", {"api_key": xh_key, **params})
        assert response.status_code in (400, 404), params
        assert isinstance(response.json(), list)


def test_messages_are_chinese_by_default_and_english_on_request(client):
    chinese = _errors(client.get(f"{BASE}/services/potholes.json"))[0][1]
    english = _errors(client.get(f"{BASE}/services/potholes.json", headers={"Accept-Language": "en"}))[0][1]
    assert english == "service_code potholes was not found."
    assert chinese == "找不到 service_code potholes。"
