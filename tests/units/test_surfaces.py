"""A county user cannot see, search, export or change a neighbouring county: pages, API, admin, exports."""

from __future__ import annotations

import pytest
from django.test import Client

from qingdan.people.services import token_create
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def login(client: Client, user) -> Client:
    client.force_login(user)
    return client


# --- pages --------------------------------------------------------------------------------

def test_pages_require_login(client, tree):
    response = client.get("/units/330106/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_home_lists_only_the_scope_roots(client, xh_handler):
    body = login(client, xh_handler).get("/").content.decode()
    assert "西湖区" in body
    assert "滨江区" not in body
    assert "浙江省" not in body or "/units/33/" not in body


def test_unit_page_in_scope_shows_children(client, xh_handler):
    response = login(client, xh_handler).get("/units/330106/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "留下街道" in body and "西湖区公安局" in body
    assert "5 " in body  # five units in the subtree (西湖区, 留下街道, two villages, the police)


def test_breadcrumbs_name_ancestors_but_do_not_link_outside_scope(client, xh_handler):
    body = login(client, xh_handler).get("/units/330106009/").content.decode()
    assert "杭州市" in body
    assert 'href="/units/3301/"' not in body
    assert 'href="/units/330106/"' in body


@pytest.mark.parametrize("path", ["/units/330108/", "/units/330108001/", "/units/330108-GA/", "/units/3301/",
                                  "/units/330108/export.csv", "/units/search/?q=西&within=330108"])
def test_neighbour_county_pages_are_404(client, xh_handler, path):
    assert login(client, xh_handler).get(path).status_code == 404


def test_search_finds_only_inside_scope(client, xh_handler):
    body = login(client, xh_handler).get("/units/search/", {"q": "街道"}).content.decode()
    assert "留下街道" in body
    assert "西兴街道" not in body


def test_search_htmx_returns_fragment(client, xh_handler):
    response = login(client, xh_handler).get("/units/search/", {"q": "留下"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "留下街道" in body and "<html" not in body


def test_search_escapes_what_was_typed(client, xh_handler):
    body = login(client, xh_handler).get("/units/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_export_contains_exactly_the_subtree(client, xh_handler):
    response = login(client, xh_handler).get("/units/330106/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    codes = {line.split(",")[0] for line in text.strip().splitlines()[1:]}
    assert codes == {"330106", "330106009", "330106009001", "330106009002", "330106-GA"}


def test_export_is_audited(client, xh_handler):
    from qingdan.audit.models import AuditEntry

    login(client, xh_handler).get("/units/330106/export.csv")
    assert AuditEntry.objects.filter(action="units.subtree_exported", actor=xh_handler).exists()


def test_township_user_cannot_climb_to_its_county(client, tree, make_staff):
    user = make_staff("lx", Role.HANDLER, tree["330106009"])
    assert login(client, user).get("/units/330106/").status_code == 404
    assert client.get("/units/330106009001/").status_code == 200


# --- API ----------------------------------------------------------------------------------

def bearer(user) -> dict[str, str]:
    _, key = token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_requires_authentication(client, tree):
    assert client.get("/api/v1/units/330106").status_code == 401


def test_api_rejects_revoked_and_bogus_tokens(client, xh_handler):
    from qingdan.people.models import ApiToken
    from qingdan.people.services import token_revoke

    headers = bearer(xh_handler)
    assert client.get("/api/v1/units/330106", **headers).status_code == 200
    token_revoke(actor=xh_handler, token=ApiToken.objects.get(user=xh_handler))
    assert client.get("/api/v1/units/330106", **headers).status_code == 401
    assert client.get("/api/v1/units/330106", HTTP_AUTHORIZATION="Bearer qd_nonsense").status_code == 401


def test_api_token_is_stored_hashed(xh_handler):
    from qingdan.people.models import ApiToken

    token, key = token_create(actor=xh_handler, user=xh_handler, name="t")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in (stored.digest, stored.prefix) and stored.digest != key


def test_api_unit_detail_in_and_out_of_scope(client, xh_handler):
    headers = bearer(xh_handler)
    ok = client.get("/api/v1/units/330106009", **headers)
    assert ok.status_code == 200
    assert ok.json()["name"] == "留下街道" and ok.json()["parent_code"] == "330106"
    assert ok.json()["path_names"] == "浙江省 / 杭州市 / 西湖区 / 留下街道"
    denied = client.get("/api/v1/units/330108", **headers)
    assert denied.status_code == 404
    assert denied.json()["code"] == "not_found"


def test_api_list_search_children_and_count_are_scoped(client, xh_handler):
    headers = bearer(xh_handler)
    roots = client.get("/api/v1/units/", **headers).json()
    assert [u["code"] for u in roots["items"]] == ["330106"]
    found = client.get("/api/v1/units/", {"q": "街道"}, **headers).json()
    assert [u["code"] for u in found["items"]] == ["330106009"]
    assert client.get("/api/v1/units/", {"parent": "330108"}, **headers).status_code == 404
    assert client.get("/api/v1/units/330106/count", **headers).json()["subtree_units"] == 5
    assert client.get("/api/v1/units/330108/count", **headers).status_code == 404


def test_api_session_auth_works_for_logged_in_staff(client, xh_handler):
    login(client, xh_handler)
    me = client.get("/api/v1/people/me").json()
    assert me["username"] == "xh_handler"
    assert me["roles"] == [{"role": "handler", "unit_code": "330106", "unit_name": "西湖区"}]


def test_openapi_document_is_served_and_docs_use_local_assets(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/units/{code}" in spec.json()["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "/static/ninja/" in docs


# --- admin --------------------------------------------------------------------------------

def test_handler_cannot_open_admin(client, xh_handler):
    response = login(client, xh_handler).get("/admin/units/unit/")
    assert response.status_code == 302  # to the admin login: not staff


def test_county_organizer_admin_lists_only_its_subtree(client, xh_organizer, tree):
    login(client, xh_organizer)
    body = client.get("/admin/units/unit/").content.decode()
    assert "留下街道" in body and "西兴街道" not in body and "滨江区" not in body


def test_county_organizer_admin_cannot_open_or_change_neighbour(client, xh_organizer, tree):
    login(client, xh_organizer)
    neighbour = tree["330108"]
    url = f"/admin/units/unit/{neighbour.pk}/change/"
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(url, {"name": "被改名", "kind": "region"})
    assert response.status_code in (302, 403, 404)
    neighbour.refresh_from_db()
    assert neighbour.name == "滨江区"


def test_county_organizer_renames_own_unit_through_admin_and_it_is_audited(client, xh_organizer, tree):
    from qingdan.audit.models import AuditEntry

    login(client, xh_organizer)
    unit = tree["330106009"]
    response = client.post(f"/admin/units/unit/{unit.pk}/change/", {"name": "留下街道办事处", "kind": "region"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "留下街道办事处"
    entry = AuditEntry.objects.get(action="units.unit_updated")
    assert entry.before["name"] == "留下街道" and entry.after["name"] == "留下街道办事处"
    assert entry.actor_id == xh_organizer.pk


def test_admin_users_and_roles_are_scoped(client, xh_organizer, bj_handler, xh_handler):
    login(client, xh_organizer)
    users = client.get("/admin/people/user/").content.decode()
    assert "xh_handler" in users and "bj_handler" not in users
    assert client.get(f"/admin/people/user/{bj_handler.pk}/change/").status_code in (302, 403, 404)
    roles = client.get("/admin/people/roleassignment/").content.decode()
    assert "xh_handler" in roles and "bj_handler" not in roles


def test_admin_unit_autocomplete_is_scoped(client, xh_organizer):
    login(client, xh_organizer)
    response = client.get("/admin/autocomplete/", {"app_label": "people", "model_name": "roleassignment",
                                                   "field_name": "unit", "term": "街道"})
    texts = [r["text"] for r in response.json()["results"]]
    assert any("留下街道" in t for t in texts)
    assert not any("西兴街道" in t for t in texts)


def test_admin_audit_log_is_scoped(client, xh_organizer, tree):
    from qingdan.audit.services import audit_record

    audit_record(actor="test", action="x.inside", obj=tree["330106009"])
    audit_record(actor="test", action="x.outside", obj=tree["330108001"])
    body = login(client, xh_organizer).get("/admin/audit/auditentry/").content.decode()
    assert "x.inside" in body and "x.outside" not in body


# --- the rule behind all of this ----------------------------------------------------------

def test_views_and_api_never_fetch_with_bare_objects_get():
    """STYLE rule 3: scoped objects are fetched through selectors, never `.objects.get` in a view."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "qingdan"
    offenders = [str(p) for name in ("views.py", "api.py") for p in root.rglob(name)
                 if ".objects.get(" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_admin_user_changes_are_audited_without_the_password(client, xh_organizer, xh_handler):
    from qingdan.audit.models import AuditEntry

    login(client, xh_organizer)
    response = client.post(f"/admin/people/user/{xh_handler.pk}/change/", {
        "username": "xh_handler", "display_name": "西湖区张三", "email": "", "phone": "",
        "home_unit": xh_handler.home_unit_id, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="people.user_updated")
    assert entry.after == {"display_name": "西湖区张三"} and entry.actor_id == xh_organizer.pk
    assert "argon2" not in str(entry.after) and "md5" not in str(entry.after)


def test_api_changes_follow_the_managed_scope(client, xh_organizer, xh_handler, tree):
    from qingdan.audit.models import AuditEntry
    from qingdan.units.models import Unit

    organizer = bearer(xh_organizer)
    created = client.post("/api/v1/units/", {"parent": "330106", "code": "330106-CG", "name": "西湖区综合行政执法局"},
                          content_type="application/json", **organizer)
    assert created.status_code == 201 and created.json()["parent_code"] == "330106"
    assert Unit.objects.get_parent(Unit.objects.get(code="330106-CG")).code == "330106"
    new_pk = str(Unit.objects.get(code="330106-CG").pk)
    assert AuditEntry.objects.filter(action="units.unit_created", object_id=new_pk).exists()

    # The neighbour: not found for reads and writes alike, and nothing changes.
    assert client.post("/api/v1/units/", {"parent": "330108", "code": "330108-CG", "name": "x"},
                       content_type="application/json", **organizer).status_code == 404
    assert client.patch("/api/v1/units/330108", {"name": "改名"}, content_type="application/json",
                        **organizer).status_code == 404
    assert client.post("/api/v1/units/330108/retire", **organizer).status_code == 404
    assert Unit.objects.get(code="330108").name == "滨江区" and Unit.objects.get(code="330108").is_active
    assert not Unit.objects.filter(code="330108-CG").exists()

    # A handler sees its county but may not change it.
    handler = bearer(xh_handler)
    denied = client.patch("/api/v1/units/330106009", {"name": "改名"}, content_type="application/json", **handler)
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert Unit.objects.get(code="330106009").name == "留下街道"


def test_api_rejects_bad_unit_input_with_clear_errors(client, xh_organizer):
    organizer = bearer(xh_organizer)
    duplicate = client.post("/api/v1/units/", {"parent": "330106", "code": "330106009", "name": "重复"},
                            content_type="application/json", **organizer)
    assert duplicate.status_code == 400 and duplicate.json()["code"] == "unit_duplicate_code"
    bad_kind = client.post("/api/v1/units/", {"parent": "330106", "code": "X1", "name": "x", "kind": "castle"},
                           content_type="application/json", **organizer)
    assert bad_kind.status_code == 400 and bad_kind.json()["code"] == "unit_invalid"
    malformed = client.post("/api/v1/units/", "{not json", content_type="application/json", **organizer)
    assert malformed.status_code in (400, 422)
    retired = client.post("/api/v1/units/330106009002/retire", **organizer)
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    again = client.post("/api/v1/units/330106009002/retire", **organizer)
    assert again.status_code == 400 and again.json()["code"] == "unit_already_retired"


def test_search_for_a_whole_name_lands_on_the_unit(client, xh_handler):
    login(client, xh_handler)
    response = client.get("/units/search/", {"q": "留下街道"})
    assert response.status_code == 302 and response["Location"] == "/units/330106009/"
    assert client.get("/units/search/", {"q": "330106009"})["Location"] == "/units/330106009/"
    assert client.get("/units/search/", {"q": "留下"}).status_code == 200  # partial: a list to choose from
    assert client.get("/units/search/", {"q": "滨江区"}).status_code == 200  # outside scope: no redirect, no hit


def test_unit_page_lists_staff_holding_roles_there(client, xh_handler, bj_handler):
    body = login(client, xh_handler).get("/units/330106/").content.decode()
    assert "xh_handler" in body and "承办人" in body
    assert "bj_handler" not in body
