"""The submissions API: scoping, the report rule, idempotency, field errors and hostile input."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from qingdan.intake.models import Submission
from qingdan.people.services import token_create
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions/"
BODY = {"kind": "complaint", "subject": "噪音扰民", "text": "小区门口的饭店油烟和噪音严重影响居民休息。",
        "unit": "330106009", "name": "张三", "phone": "13812345678"}


@pytest.fixture
def bearer():
    """Return the Authorization header of a fresh token for a user."""
    def make(user) -> dict[str, str]:
        _, key = token_create(actor=user, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    return make


def post(client, headers, body, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data, content_type="application/json", **headers, **extra)


# --- creating ------------------------------------------------------------------------------

def test_create_returns_201_with_a_tracking_code_and_stores_an_api_submission(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get(tracking_code=body["tracking_code"])
    assert body["tracking_code_display"].replace("-", "") == body["tracking_code"]
    assert (submission.channel, submission.unit.code, submission.status) == ("api", "330106009", "received")
    assert submission.submitter_phone == "13812345678"


def test_idempotency_key_replays_the_first_answer_with_200(client, xh_handler, bearer):
    headers = bearer(xh_handler)
    first = post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = post(client, headers, {**BODY, "text": "another body, same key"}, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Submission.objects.count() == 1
    assert post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="retry-2").status_code == 201
    assert Submission.objects.count() == 2


def test_a_replay_returns_the_first_answer_even_when_its_body_no_longer_validates(client, xh_handler, bearer):
    headers = bearer(xh_handler)
    first = post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="retry-3")
    again = post(client, headers, {**BODY, "text": "😀"}, HTTP_IDEMPOTENCY_KEY="retry-3")
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    assert post(client, headers, {**BODY, "text": "😀"}, HTTP_IDEMPOTENCY_KEY="retry-4").status_code == 400


def test_a_create_is_one_transaction_of_few_queries(client, xh_handler, bearer):
    """The hot path of intake: the token read once, the scope cached, no key lookup before the INSERT."""
    headers = bearer(xh_handler)
    assert post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="warm").status_code == 201  # caches the token
    with CaptureQueriesContext(connection) as queries:
        assert post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="counted").status_code == 201
    # The test runs inside a transaction, so the service's own shows as one SAVEPOINT … RELEASE pair.
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() not in control]
    transactions = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(transactions) == 1, transactions
    # SELECT the token (with its user: a revocation anywhere must stop this very request), INSERT
    # submission, INSERT event, chain lock (PostgreSQL), chain end, INSERT audit: the scope, the unit
    # and an idempotency lookup cost nothing.
    assert len(statements) <= 6, "\n".join(statements)
    people = [sql for sql in statements if "people_" in sql]
    assert len(people) == 1 and "people_apitoken" in people[0] and people[0].upper().startswith("SELECT")
    assert not any("units_unit" in sql for sql in statements)


def test_a_remembered_unit_is_forgotten_when_it_changes(client, xh_handler, bearer, tree):
    from qingdan.units.services import unit_retire

    headers = bearer(xh_handler)
    assert post(client, headers, BODY).status_code == 201  # 330106009 is remembered now
    unit_retire(actor="test", unit=tree["330106009"])
    response = post(client, headers, BODY)
    assert response.status_code == 400 and "unit" in response.json()["fields"]


def test_a_remembered_unit_still_obeys_the_callers_scope(client, xh_handler, bj_handler, bearer):
    assert post(client, bearer(xh_handler), BODY).status_code == 201  # remembered for 西湖区's handler
    response = post(client, bearer(bj_handler), BODY)  # 滨江区's handler may not send to 西湖区's street
    assert response.status_code == 400 and "unit" in response.json()["fields"]


def test_idempotency_keys_are_private_to_each_caller(client, xh_handler, tree, make_staff, bearer):
    other = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    mine = post(client, bearer(xh_handler), BODY, HTTP_IDEMPOTENCY_KEY="same").json()
    theirs = post(client, bearer(other), BODY, HTTP_IDEMPOTENCY_KEY="same")
    assert theirs.status_code == 201 and theirs.json()["tracking_code"] != mine["tracking_code"]


def test_the_senders_case_id_is_idempotent_too(client, xh_handler, bearer):
    headers = bearer(xh_handler)
    first = post(client, headers, {**BODY, "external_id": "WX-2026-001"})
    again = post(client, headers, {**BODY, "external_id": "WX-2026-001", "text": "再次发送"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and Submission.objects.count() == 1


def test_a_malformed_idempotency_key_is_a_field_error(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), BODY, HTTP_IDEMPOTENCY_KEY="has space")
    assert response.status_code == 400 and "idempotency_key" in response.json()["fields"]


def test_field_errors_come_back_together_and_nothing_is_stored(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), {**BODY, "text": "", "phone": "12", "email": "not-mail",
                                                 "latitude": 95})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "submission_invalid"
    assert set(body["fields"]) == {"text", "phone", "email", "latitude"}
    assert Submission.objects.count() == 0


def test_a_unit_outside_the_callers_scope_is_a_field_error(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), {**BODY, "unit": "330108001", "place_unit": "nowhere"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"unit", "place_unit"}


def test_attachments_in_base64_are_checked_by_content(client, xh_handler, bearer):
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    good = {"name": "photo.png", "content_base64": base64.b64encode(png.getvalue()).decode()}
    html = {"name": "photo.png", "content_base64": base64.b64encode(b"<html><script>x</script></html>").decode()}
    headers = bearer(xh_handler)
    assert post(client, headers, {**BODY, "attachments": [html]}).json()["fields"].keys() == {"attachments"}
    assert post(client, headers, {**BODY, "attachments": [{"name": "x", "content_base64": "@@@"}]}).status_code == 400
    created = post(client, headers, {**BODY, "attachments": [good]})
    assert created.status_code == 201
    assert Submission.objects.get().attachments.count() == 1


def test_anonymous_callers_are_refused(client):
    assert post(client, {}, BODY).status_code == 401


# --- hostile input -------------------------------------------------------------------------

def test_invalid_utf8_body_is_a_400(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), b'{"text": "\xff\xfe\xfa", "unit": "330106009"}')
    assert response.status_code == 400
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("text", ["路" * 100_000, "😀😡🔥" * 20, "\x00\u200b "])
def test_oversized_emoji_only_and_invisible_text_are_field_errors(client, xh_handler, bearer, text):
    response = post(client, bearer(xh_handler), {**BODY, "text": text})
    assert response.status_code == 400
    assert "text" in response.json()["fields"]
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("change", [
    {"text": 123}, {"text": None}, {"latitude": "north"}, {"anonymous": "maybe"}, {"unit": ["330106"]},
    {"kind": "rumour"}, {"attachments": "photo.png"}, {"attachments": [{}] * 6},
])
def test_wrong_json_types_are_422(client, xh_handler, bearer, change):
    response = post(client, bearer(xh_handler), {**BODY, **change})
    assert response.status_code == 422, response.content
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("raw", [b"[1, 2]", b"null", b'"text"', b"{", b"{}"])
def test_bodies_that_are_not_an_object_never_500(client, xh_handler, bearer, raw):
    assert post(client, bearer(xh_handler), raw).status_code in (400, 422)


def test_nul_bytes_and_lone_surrogates_are_handled(client, xh_handler, bearer):
    headers = bearer(xh_handler)
    assert post(client, headers, {**BODY, "unit": "3301\x0006009"}).status_code == 400
    # A lone surrogate is refused by the schema (422) or dropped by clean_text: never stored, never a 500.
    surrogate = post(client, headers, json.dumps({**BODY, "place_text": "x\ud800y", "category": "c\ud800"}))
    assert surrogate.status_code in (201, 422)
    Submission.objects.all().delete()
    response = post(client, headers, {**BODY, "category": "a\x00b", "place_text": "x\x00y", "name": "张\x00三",
                                      "external_id": "\x00"})
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert (submission.category, submission.place_text, submission.submitter_name) == ("ab", "xy", "张三")


def test_oversized_body_is_a_400_not_a_500(client, xh_handler, bearer):
    response = post(client, bearer(xh_handler), {**BODY, "text": "x" * 3_000_000})
    assert response.status_code == 400


def test_script_and_sql_are_stored_verbatim_and_returned_json_escaped(client, xh_handler, bearer):
    text = "路燈壞了。<script>alert(\"x\")</script> '; DROP TABLE intake_submission; -- \\ end"
    headers = bearer(xh_handler)
    code = post(client, headers, {**BODY, "text": text}).json()["tracking_code"]
    assert Submission.objects.get(tracking_code=code).text == text
    response = client.get(f"{URL}{code}", **headers)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["text"] == text
    assert b'alert(\\"x\\")' in response.content and b"\\\\ end" in response.content


# --- reading, scoped -----------------------------------------------------------------------

def test_a_neighbouring_county_gets_404(client, submit, tree, xh_handler, bj_handler, bearer):
    theirs = submit(unit=tree["330106009"])
    assert client.get(f"{URL}{theirs.tracking_code}", **bearer(bj_handler)).status_code == 404
    assert client.get(f"{URL}{theirs.tracking_code}", **bearer(xh_handler)).status_code == 200
    assert client.get(URL, **bearer(bj_handler)).json()["items"] == []
    assert client.get(f"{URL}not-a-code", **bearer(xh_handler)).status_code == 404


def test_reports_are_visible_only_to_the_discipline_body_above(client, submit, tree, xh_handler, xh_inspector,
                                                               bearer):
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    ordinary = submit(unit=tree["330106009"])
    handler = bearer(xh_handler)
    inspector = bearer(xh_inspector)
    assert client.get(f"{URL}{report.tracking_code}", **handler).status_code == 404
    assert [i["tracking_code"] for i in client.get(URL, **handler).json()["items"]] == [ordinary.tracking_code]
    assert client.get(f"{URL}{report.tracking_code}", **inspector).status_code == 200
    assert [i["tracking_code"] for i in client.get(URL, **inspector).json()["items"]] == [report.tracking_code]
    assert client.get(URL, {"kind": "report"}, **handler).json()["items"] == []


def test_contacts_are_masked_except_for_handlers_and_operators(client, submit, tree, xh_handler, make_staff, bearer):
    submission = submit(unit=tree["330106009"], name="张三丰", phone="13812345678", email="zsf@example.cn")
    leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    full = client.get(f"{URL}{submission.tracking_code}", **bearer(xh_handler)).json()["contact"]
    masked = client.get(f"{URL}{submission.tracking_code}", **bearer(leader)).json()["contact"]
    assert full == {"name": "张三丰", "phone": "13812345678", "email": "zsf@example.cn"}
    assert masked == {"name": "张**", "phone": "138****5678", "email": "z***@example.cn"}


def test_list_filters_and_pagination(client, submit, tree, xh_handler, bearer):
    import datetime

    from django.utils import timezone

    old = submit(unit=tree["330106009001"], created_at=timezone.now() - datetime.timedelta(days=30))
    street = submit(unit=tree["330106009"], kind="suggestion")
    police = submit(unit=tree["330106-GA"])
    headers = bearer(xh_handler)

    def codes(**params):
        return [i["tracking_code"] for i in client.get(URL, params, **headers).json()["items"]]

    assert codes() == [police.tracking_code, street.tracking_code, old.tracking_code]
    assert codes(unit="330106009") == [street.tracking_code, old.tracking_code]
    assert codes(unit="330108") == [] and codes(unit="nowhere") == []
    assert codes(kind="suggestion") == [street.tracking_code]
    assert codes(status="replied") == [] and codes(channel="web") == codes()
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert codes(created_from=since) == [police.tracking_code, street.tracking_code]
    assert codes(created_to=since) == [old.tracking_code]
    page = client.get(URL, {"limit": 2}, **headers).json()
    assert (len(page["items"]), page["next_offset"]) == (2, 2)
    last = client.get(URL, {"limit": 2, "offset": 2}, **headers).json()
    assert (len(last["items"]), last["next_offset"]) == (1, None)
    assert codes(created_from="1494-09-18T11:07:01-17:24") == codes()  # an offset PostgreSQL refuses
    assert codes(created_from="0001-01-01T00:00:00+10:00") == codes()  # before year 1 in UTC
    assert codes(created_to="9999-12-31T23:59:59-10:00") == codes()
    assert codes(created_from="2020-01-01T00:00:00") == codes()  # naive: Beijing time
    assert client.get(URL, {"limit": 10_000}, **headers).status_code == 422
    assert client.get(URL, {"status": "nonsense"}, **headers).status_code == 422


def test_list_queries_do_not_grow_with_rows(client, submit, tree, xh_handler, bearer):
    headers = bearer(xh_handler)
    submit(unit=tree["330106009"])
    client.get(URL, **headers)  # warm the token's last-used stamp

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, **headers)
        return len(captured), len(response.json()["items"])

    few, shown = count()
    for index in range(15):
        submit(unit=tree["330106009001" if index % 2 else "330106-GA"])
    many, shown_many = count()
    assert (shown, shown_many) == (1, 16)
    assert many == few


# --- replying ------------------------------------------------------------------------------

def test_handlers_and_leaders_reply_others_may_not(client, submit, tree, xh_handler, bj_handler, make_staff, bearer):
    submission = submit(unit=tree["330106009"])
    url = f"{URL}{submission.tracking_code}/reply"
    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    assert client.post(url, {"text": "已处理"}, content_type="application/json",
                       **bearer(operator)).status_code == 403
    assert client.post(url, {"text": "已处理"}, content_type="application/json",
                       **bearer(bj_handler)).status_code == 404
    empty = client.post(url, {"text": "  "}, content_type="application/json", **bearer(xh_handler))
    assert empty.status_code == 400 and set(empty.json()["fields"]) == {"reply"}
    response = client.post(url, {"text": "已责成商户安装油烟净化器。"}, content_type="application/json",
                           **bearer(xh_handler))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "replied"
    assert [e["kind"] for e in response.json()["events"]] == ["received", "replied"]
    leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    assert client.post(url, {"text": "补充答复"}, content_type="application/json",
                       **bearer(leader)).status_code == 200


def test_reports_are_answered_by_the_discipline_body_not_by_its_supervisors(
        client, submit, tree, discipline, xh_inspector, make_staff, bearer):
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    url = f"{URL}{report.tracking_code}/reply"
    assert client.post(url, {"text": "已立案核查"}, content_type="application/json",
                       **bearer(xh_inspector)).status_code == 403
    case_handler = make_staff("xh_jw_handler", Role.HANDLER, discipline["xh"])
    assert client.post(url, {"text": "已立案核查"}, content_type="application/json",
                       **bearer(case_handler)).status_code == 200
