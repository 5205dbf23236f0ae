"""A real Open311 client from PyPI (georeport) against the live server, unchanged, in JSON and XML.

georeport reads services, definitions and requests; it has no method to create one, so the
POST is sent with ``requests`` (the HTTP library georeport itself uses), form-encoded exactly
as the specification's example request, and read back through georeport.
"""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from qingdan.intake.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint(live_server, monkeypatch) -> str:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a proxy in the environment must not catch these
    return f"{live_server.url}/open311/v2"


def _post(endpoint: str, fmt: str, key: str, **fields: str) -> requests.Response:
    data = {"api_key": key, "jurisdiction_id": "330106", "service_code": "environment", "lat": "30.2741",
            "long": "120.1551", "address_string": "留下街道留下村村口", "email": "zhang@example.cn",
            "device_id": "tt222111", "account_id": "123456", "first_name": "三", "last_name": "张",
            "phone": "13812345678", "description": "河道里有油污，气味很大。",
            "media_url": "https://img.example.cn/river.jpg", "attribute[kind]": "complaint"}
    data.update(fields)
    return requests.post(f"{endpoint}/requests.{fmt}", data=data, timeout=30)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_lists_services_and_reads_a_definition(endpoint, tree, fmt):
    client = GeoReport(endpoint, jurisdiction="330106", output_format=fmt)
    services = client.get_service_list()
    assert len(services) == 15
    assert {s["service_code"] for s in services} >= {"environment", "transport", "civil-affairs"}
    environment = next(s for s in services if s["service_code"] == "environment")
    assert environment["service_name"] == "环境保护"
    definition = client.get_service_definition("environment")
    assert definition["service_code"] == "environment"
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["kind", "subject"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_a_request_and_read_it_back_with_the_client(endpoint, tree, xh_key, publish, fmt):
    response = _post(endpoint, fmt, xh_key)
    assert response.status_code == 200, response.text
    if fmt == "json":
        code = response.json()[0]["service_request_id"]
    else:
        import xmltodict

        code = xmltodict.parse(response.content)["service_requests"]["request"]["service_request_id"]
    submission = Submission.objects.get(public_id=code, channel="open311")
    assert submission.tracking_code not in response.text
    # georeport sends no api_key on reads: it sees a request once it is public, and its public fields only
    publish(submission, title="河道油污治理")

    client = GeoReport(endpoint, jurisdiction="330106", output_format=fmt)
    request = client.get_service_request(code)
    assert request["service_request_id"] == code
    assert request["status"] == "open"
    assert request["service_code"] == "environment"
    assert request["agency_responsible"] == "西湖区"
    assert request["description"] == "河道油污治理"
    assert "13812345678" not in str(request) and "zhang@example.cn" not in str(request)
    assert "河道里有油污" not in str(request) and submission.tracking_code not in str(request)
    listed = client.get_service_requests(service_request_id=code)
    one = listed[0] if fmt == "json" else listed  # xmltodict gives a lone <request> as a dict
    assert one["service_request_id"] == code


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_lists_public_requests_without_a_key(endpoint, tree, xh_key, publish, fmt):
    public = Submission.objects.get(public_id=_post(endpoint, "json", xh_key).json()[0]["service_request_id"])
    _post(endpoint, "json", xh_key, description="未公开的诉求。")
    publish(public, title="河道油污治理")
    listed = GeoReport(endpoint, jurisdiction="330106", output_format=fmt).get_service_requests(status="open")
    one = listed[0] if fmt == "json" else listed.get("request", listed)
    assert one["service_request_id"] == public.public_id
    assert "未公开" not in str(listed) and public.tracking_code not in str(listed)


def test_client_sees_the_specs_404_for_unknown_things(endpoint, tree):
    client = GeoReport(endpoint, jurisdiction="330106", output_format="xml")
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_definition("potholes")
    assert error.value.response.status_code == 404
    with pytest.raises(requests.HTTPError):
        GeoReport(endpoint, jurisdiction="no-such-unit").get_service_list()


def test_a_key_lists_over_plain_http(endpoint, tree, xh_key):
    code = _post(endpoint, "json", xh_key).json()[0]["service_request_id"]
    listed = requests.get(f"{endpoint}/requests.json", params={"api_key": xh_key, "status": "open"}, timeout=30)
    assert [r["service_request_id"] for r in listed.json()] == [code]
