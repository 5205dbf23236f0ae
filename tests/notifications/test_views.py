"""The inbox page, the nav badge, the REST endpoints and the webhook admin."""

from __future__ import annotations

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.notifications.models import Notification, WebhookEndpoint
from qingdan.notifications.services import notify
from qingdan.people.services import token_create

pytestmark = pytest.mark.django_db


def _note(user, title="事项待签收", **kwargs):
    return notify(recipients=[user], kind=kwargs.pop("kind", "item.dispatched"), title=title, **kwargs)[0]


def test_inbox_shows_only_own_notifications_and_escapes_titles(client, xh_handler, bj_handler):
    _note(xh_handler, title='<script>alert("x")</script>标题', body="<b>粗</b>")
    _note(bj_handler, title="滨江的秘密")
    client.force_login(xh_handler)
    body = client.get("/inbox/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;标题" in body
    assert "<script>alert" not in body and "<b>粗</b>" not in body
    assert "滨江的秘密" not in body


def test_inbox_needs_login(client):
    assert client.get("/inbox/").status_code == 302
    badge = client.get("/inbox/count/")  # an expired session's poll: an empty badge, not the login page
    assert badge.status_code == 200 and badge.content == b""


def test_mark_read_plain_and_htmx_and_all(client, xh_handler, bj_handler):
    first = _note(xh_handler, title="一")
    second = _note(xh_handler, title="二")
    theirs = _note(bj_handler, title="三")
    client.force_login(xh_handler)
    assert client.get("/inbox/count/").content.decode().strip().endswith("2</mark>")
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/inbox/{first.pk}/read/").status_code == 405  # a GET never changes state
    response = client.post(f"/inbox/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and f'id="n{first.pk}"' in response.content.decode()
    assert "<mark" in client.get("/inbox/count/").content.decode()
    assert "unread=1" in client.get("/inbox/").content.decode()
    assert client.post("/inbox/read-all/").status_code == 302
    assert client.get("/inbox/count/").content.decode().strip() == ""
    assert Notification.objects.get(pk=second.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_open_follows_only_local_links(client, xh_handler):
    local = _note(xh_handler, url="/units/330106/")
    foreign = _note(xh_handler, url="https://evil.example/phish")
    client.force_login(xh_handler)
    assert client.post(f"/inbox/{local.pk}/")["Location"] == "/units/330106/"
    assert client.post(f"/inbox/{foreign.pk}/")["Location"] == "/inbox/"
    assert Notification.objects.filter(read_at__isnull=False).count() == 2


def test_get_shows_a_notification_and_leaves_it_unread(client, xh_handler, bj_handler):
    """A prefetcher or a preview following the link must not mark the notification read."""
    row = _note(xh_handler, title="事项待签收", body="请于三日内签收", url="/units/330106/")
    theirs = _note(bj_handler, title="滨江的通知")
    client.force_login(xh_handler)
    page = client.get(f"/inbox/{row.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "事项待签收" in html and "请于三日内签收" in html
    assert f'method="post" action="/inbox/{row.pk}/"' in html  # opening is a form post, with its token
    assert "csrfmiddlewaretoken" in html
    assert Notification.objects.get(pk=row.pk).read_at is None
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert client.post(f"/inbox/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_opening_from_the_list_is_a_post_and_needs_the_csrf_token(xh_handler):
    from django.test import Client

    row = _note(xh_handler, url="/units/330106/")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(xh_handler)
    listing = strict.get("/inbox/").content.decode()
    assert f'<form method="post" action="/inbox/{row.pk}/"' in listing
    assert f'href="/inbox/{row.pk}/"' not in listing  # no plain link that a GET would follow to mark it
    assert strict.post(f"/inbox/{row.pk}/").status_code == 403  # a forged cross-site post does nothing
    assert Notification.objects.get(pk=row.pk).read_at is None
    token = strict.cookies["csrftoken"].value
    response = strict.post(f"/inbox/{row.pk}/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/units/330106/"
    assert Notification.objects.get(pk=row.pk).read_at is not None


def test_email_preference_toggle(client, xh_handler):
    from qingdan.notifications.selectors import email_preference

    client.force_login(xh_handler)
    assert not email_preference(xh_handler)
    client.post("/inbox/preferences/", {"email": "1"})
    assert email_preference(xh_handler)
    client.post("/inbox/preferences/", {"email": "0"})
    assert not email_preference(xh_handler)


def test_nav_loads_the_badge_without_a_query_on_every_page(client, xh_handler):
    client.force_login(xh_handler)
    body = client.get("/units/330106/").content.decode()
    assert 'href="/inbox/"' in body and 'hx-get="/inbox/count/"' in body


def test_inbox_queries_do_not_grow_with_rows(client, xh_handler):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(xh_handler)
    _note(xh_handler)
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    for n in range(30):
        _note(xh_handler, title=f"第{n}条")
    with CaptureQueriesContext(connection) as many:
        client.get("/inbox/")
    assert len(many) == len(few)


# --- REST API ------------------------------------------------------------------------------------

def test_api_lists_own_notifications_and_marks_them(client, xh_handler, bj_handler):
    _, key = token_create(actor=xh_handler, user=xh_handler, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    mine = [_note(xh_handler, title=f"我的{n}") for n in range(3)]
    theirs = _note(bj_handler, title="别人的")
    page = client.get("/api/v1/notifications/", {"limit": 2}, **auth).json()
    assert [item["title"] for item in page["items"]] == ["我的2", "我的1"]
    assert page["unread"] == 3 and page["next_offset"] == 2
    assert client.get(f"/api/v1/notifications/{theirs.pk}", **auth).status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read", **auth).status_code == 404
    marked = client.post(f"/api/v1/notifications/{mine[0].pk}/read", **auth).json()
    assert marked["read_at"] is not None
    assert client.get("/api/v1/notifications/unread-count", **auth).json() == {"unread": 2}
    assert len(client.get("/api/v1/notifications/", {"unread": "true"}, **auth).json()["items"]) == 2
    assert client.post("/api/v1/notifications/read-all", **auth).json() == {"marked": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get("/api/v1/notifications/", **auth).status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 401


def test_api_preferences(client, xh_handler):
    _, key = token_create(actor=xh_handler, user=xh_handler, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/notifications/preferences", **auth).json()["email_enabled"] is False
    response = client.put("/api/v1/notifications/preferences", {"email_enabled": True},
                          content_type="application/json", **auth)
    assert response.json()["email_enabled"] is True


# --- webhook admin -------------------------------------------------------------------------------

def test_admin_creates_endpoint_shows_secret_once_and_is_scoped(client, xh_organizer, make_staff, tree):
    from qingdan.units.choices import Role

    client.force_login(xh_organizer)
    response = client.post("/admin/notifications/webhookendpoint/add/", {
        "unit": tree["330106"].pk, "name": "区12345平台", "url": "https://hooks.example.cn/qd",
        "kinds": "item.dispatched， item.overdue", "is_active": "on"}, follow=True)
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.kinds == ["item.dispatched", "item.overdue"] and endpoint.created_by == xh_organizer
    assert endpoint.secret in response.content.decode()  # shown once, in the message
    assert endpoint.secret not in client.get(f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/"
                                             ).content.decode()
    assert AuditEntry.objects.filter(action="notifications.webhook_created", actor_id=xh_organizer.pk).exists()
    refused = client.post("/admin/notifications/webhookendpoint/add/", {
        "unit": tree["330108"].pk, "name": "邻区", "url": "https://hooks.example.cn/x", "kinds": ""})
    assert refused.status_code == 200 and WebhookEndpoint.objects.count() == 1  # 滨江 is not a choice
    bj_organizer = make_staff("bj_org", Role.ORGANIZER, tree["330108"])
    client.force_login(bj_organizer)
    assert "区12345平台" not in client.get("/admin/notifications/webhookendpoint/").content.decode()
    assert client.get(f"/admin/notifications/webhookendpoint/{endpoint.pk}/change/").status_code in (302, 403, 404)


def test_out_of_range_ids_are_not_found(client, xh_handler):
    _, key = token_create(actor=xh_handler, user=xh_handler, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    huge = 2**70
    assert client.get(f"/api/v1/notifications/{huge}", **auth).status_code == 404
    assert client.post(f"/api/v1/notifications/{huge}/read", **auth).status_code == 404
    client.force_login(xh_handler)
    assert client.post(f"/inbox/{huge}/read/").status_code == 404
    assert client.get(f"/inbox/{huge}/").status_code == 404
