"""notify(): inbox rows, e-mail through Django's backends, signed webhooks with retries, scope."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import ApplicationError, NotFound, PermissionDenied
from qingdan.notifications import signing
from qingdan.notifications.choices import DeliveryStatus
from qingdan.notifications.models import Notification, WebhookDelivery
from qingdan.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preference_set,
    notify,
    webhook_deliver_due,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
)

pytestmark = pytest.mark.django_db


def _with_email(user, address, opted_in=True):
    user.email = address
    user.save(update_fields=["email"])
    notification_preference_set(user=user, email_enabled=opted_in)
    return user


# --- inbox rows ----------------------------------------------------------------------------------

def test_notify_writes_one_row_per_active_recipient(send, xh_handler, bj_handler, tree):
    bj_handler.is_active = False
    bj_handler.save(update_fields=["is_active"])
    rows = send(recipients=[xh_handler, xh_handler, bj_handler], kind="item.dispatched", title="新事项",
                body="请于3个工作日内签收", url="/dockets/items/1/", object_type="dockets.item", object_id="1",
                unit_path=tree["330106"].path, payload={"item": 1})
    assert [row.recipient_id for row in rows] == [xh_handler.pk]
    row = Notification.objects.get()
    assert row.read_at is None and row.kind == "item.dispatched" and row.payload == {"item": 1}


def test_bad_kind_or_title_is_refused_and_nothing_written(xh_handler):
    with pytest.raises(ApplicationError) as caught:
        notify(recipients=[xh_handler], kind="Item Dispatched!", title="x")
    assert caught.value.code == "notification_invalid"
    with pytest.raises(ApplicationError):
        notify(recipients=[xh_handler], kind="item.x", title="   ")
    assert not Notification.objects.exists()


def test_rolled_back_change_notifies_no_one(receiver, xh_handler, xh_organizer, tree, mailoutbox,
                                            django_capture_on_commit_callbacks):
    _with_email(xh_handler, "h@example.cn")
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="区平台", url=receiver.url + "/hook")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(recipients=[xh_handler], kind="item.dispatched", title="回滚", unit_path=tree["330106"].path)
        raise RuntimeError
    assert not Notification.objects.exists() and not WebhookDelivery.objects.exists()
    assert mailoutbox == [] and receiver.requests == []


def test_mark_read_only_own(send, xh_handler, bj_handler):
    mine = send(recipients=[xh_handler], kind="item.urged", title="催办")[0]
    theirs = send(recipients=[bj_handler], kind="item.urged", title="催办")[0]
    with pytest.raises(NotFound):
        notification_mark_read(user=xh_handler, notification_id=theirs.pk)
    assert notification_mark_read(user=xh_handler, notification_id=mine.pk).read_at is not None
    send(recipients=[xh_handler], kind="item.urged", title="再催")
    assert notification_mark_all_read(user=xh_handler) == 1
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- e-mail ----------------------------------------------------------------------------------------

def test_email_goes_to_opted_in_users_with_an_address_in_chinese(send, make_staff, tree, mailoutbox):
    from qingdan.units.choices import Role

    wants = _with_email(make_staff("wants", Role.HANDLER, tree["330106"]), "wants@example.cn")
    declined = _with_email(make_staff("declined", Role.HANDLER, tree["330106"]), "no@example.cn", opted_in=False)
    silent = make_staff("silent", Role.HANDLER, tree["330106"])  # never chose: the default is no e-mail
    silent.email = "silent@example.cn"
    silent.save(update_fields=["email"])
    no_address = make_staff("noaddr", Role.HANDLER, tree["330106"])
    notification_preference_set(user=no_address, email_enabled=True)
    send(recipients=[wants, declined, silent, no_address], kind="item.overdue", title="事项已逾期",
         body="群众张三 13812345678 反映的问题已逾期", url="/dockets/items/7/")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["wants@example.cn"]
    assert message.subject == "【清单】事项已逾期"
    assert "http://127.0.0.1:8000/dockets/items/7/" in message.body
    assert "13812345678" not in message.body and "[redacted]" in message.body
    assert Notification.objects.get(recipient=wants).emailed_at is not None
    assert Notification.objects.get(recipient=declined).emailed_at is None


def test_email_default_can_be_switched_on(send, xh_handler, settings, mailoutbox):
    settings.QINGDAN_NOTIFY_EMAIL_DEFAULT = True
    xh_handler.email = "x@example.cn"
    xh_handler.save(update_fields=["email"])
    send(recipients=[xh_handler], kind="item.urged", title="催办")
    assert [m.to for m in mailoutbox] == [["x@example.cn"]]


# --- webhooks ---------------------------------------------------------------------------------------

def test_webhook_is_signed_and_verifiable(send, receiver, xh_organizer, xh_handler, tree):
    endpoint, secret = webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="区平台",
                                               url=receiver.url + "/hook", kinds=["item.dispatched"])
    send(recipients=[xh_handler], kind="item.dispatched", title="新事项", url="/dockets/items/3/",
         object_type="dockets.item", object_id="3", unit_path=tree["330106009"].path, payload={"priority": "high"})
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    header = request["headers"][signing.HEADER]
    assert signing.verify(secret, header, request["body"])
    assert not signing.verify("whsec_wrong", header, request["body"])
    assert not signing.verify(secret, header, request["body"] + b" ")
    stamp = int(header.split(",")[0][2:])
    assert not signing.verify(secret, header, request["body"], now=stamp + 3600)  # a replay an hour later
    document = json.loads(request["body"])
    assert document["kind"] == "item.dispatched" and document["unit"] == {"code": "330106009", "name": "留下街道"}
    assert document["object"] == {"type": "dockets.item", "id": "3"}
    assert document["url"] == "http://127.0.0.1:8000/dockets/items/3/"
    assert request["headers"]["X-Qingdan-Event"] == "item.dispatched"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1 and delivery.last_status_code == 200
    assert request["headers"]["X-Qingdan-Delivery"] == str(delivery.delivery_id)
    assert endpoint.secret == secret


def test_secret_is_encrypted_at_rest(xh_organizer, tree, receiver):
    from django.db import connection

    endpoint, secret = webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("enc1:")
    entry = AuditEntry.objects.filter(action="notifications.webhook_created").latest("seq")
    assert secret not in json.dumps(entry.after)


def test_webhook_retries_a_500_with_backoff_then_delivers(send, receiver, xh_organizer, xh_handler, tree):
    receiver.script = [500, 503]
    _, secret = webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="区平台",
                                        url=receiver.url + "/hook")
    send(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500 and delivery.last_error == "HTTP 500"
    first_retry = delivery.next_try
    assert first_retry > timezone.now() + dt.timedelta(seconds=50)
    assert webhook_deliver_due() == 0  # not due yet: nothing is sent early
    assert webhook_deliver_due(now=first_retry + dt.timedelta(seconds=1)) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status_code == 503
    assert delivery.next_try - first_retry > dt.timedelta(minutes=4)  # the wait grows
    webhook_deliver_due(now=delivery.next_try + dt.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert [entry["status_code"] for entry in delivery.log] == [500, 503, 200]
    bodies = {r["body"] for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(bodies) == 1  # every retry sends the same bytes
    assert all(signing.verify(secret, r["headers"][signing.HEADER], r["body"]) for r in receiver.requests)
    assert len({r["headers"]["X-Qingdan-Delivery"] for r in receiver.requests}) == 1


def test_webhook_gives_up_after_the_last_attempt(send, receiver, xh_organizer, xh_handler, tree, settings):
    settings.QINGDAN_WEBHOOK_BACKOFF = (1, 1)
    receiver.script = [500, 500, 500, 500]
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    send(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    later = timezone.now() + dt.timedelta(minutes=1)
    webhook_deliver_due(now=later)
    webhook_deliver_due(now=later + dt.timedelta(minutes=1))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3 and delivery.next_try is None
    assert webhook_deliver_due(now=later + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 3


def test_webhook_does_not_follow_redirects(send, receiver, xh_organizer, xh_handler, tree):
    receiver.script = [302]
    receiver.redirect_to = receiver.url + "/stolen"
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url + "/hook")
    send(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    assert [r["path"] for r in receiver.requests] == ["/hook"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and "redirect" in delivery.last_error
    assert delivery.status == DeliveryStatus.PENDING


def test_unreachable_receiver_is_recorded(send, xh_organizer, xh_handler, tree, settings):
    settings.QINGDAN_WEBHOOK_TIMEOUT = 1
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url="http://127.0.0.1:9/hook")
    send(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_status_code is None and delivery.last_error


def test_a_units_webhook_never_gets_a_sibling_units_events(send, receiver, xh_organizer, tree, make_staff,
                                                             xh_handler, bj_handler):
    from qingdan.units.choices import Role

    bj_organizer = make_staff("bj_organizer", Role.ORGANIZER, tree["330108"])
    zj_organizer = make_staff("zj_org2", Role.ORGANIZER, tree["33"])
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="西湖", url=receiver.url + "/xh")
    webhook_endpoint_create(actor=bj_organizer, unit=tree["330108"], name="滨江", url=receiver.url + "/bj")
    webhook_endpoint_create(actor=zj_organizer, unit=tree["33"], name="省", url=receiver.url + "/zj")
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106009"], name="街道", url=receiver.url + "/lx")
    send(recipients=[bj_handler], kind="item.dispatched", title="滨江的事", unit_path=tree["330108001"].path)
    assert sorted(r["path"] for r in receiver.requests) == ["/bj", "/zj"]
    receiver.requests.clear()
    send(recipients=[xh_handler], kind="item.dispatched", title="西湖的事", unit_path=tree["330106"].path)
    assert sorted(r["path"] for r in receiver.requests) == ["/xh", "/zj"]  # not the street below, not 滨江
    receiver.requests.clear()
    send(recipients=[xh_handler], kind="item.dispatched", title="无单位")
    assert receiver.requests == []


def test_kinds_filter_and_inactive_endpoints(send, receiver, xh_organizer, xh_handler, tree):
    endpoint, _ = webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url,
                                          kinds=["item.closed"])
    send(recipients=[xh_handler], kind="item.dispatched", title="a", unit_path=tree["330106"].path)
    assert receiver.requests == []
    webhook_endpoint_update(actor=xh_organizer, endpoint=endpoint, kinds=[], is_active=False)
    send(recipients=[xh_handler], kind="item.dispatched", title="b", unit_path=tree["330106"].path)
    assert receiver.requests == []
    webhook_endpoint_update(actor=xh_organizer, endpoint=endpoint, is_active=True)
    send(recipients=[xh_handler], kind="item.dispatched", title="c", unit_path=tree["330106"].path)
    assert len(receiver.requests) == 1


def test_payload_never_carries_contact_details(send, receiver, xh_organizer, xh_handler, tree):
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    send(recipients=[xh_handler], kind="submission.received", title="来电 13812345678",
         body="邮箱 zhang@example.cn", unit_path=tree["330106"].path,
         payload={"submitter_name": "张三", "submitter_phone": "13812345678", "contact": {"email": "z@e.cn"},
                  "category": "路灯", "notes": ["回电 0571-87654321"], "tracking_code": "QD1234"})
    raw = receiver.requests[0]["body"].decode("utf-8")
    for secret in ("13812345678", "zhang@example.cn", "张三", "z@e.cn", "0571-87654321"):
        assert secret not in raw
    data = json.loads(raw)["data"]
    assert data == {"category": "路灯", "notes": ["回电 [redacted]"], "tracking_code": "QD1234"}


def test_only_managers_of_the_unit_manage_its_webhooks(xh_organizer, xh_handler, tree, receiver):
    with pytest.raises(PermissionDenied):
        webhook_endpoint_create(actor=xh_handler, unit=tree["330106"], name="x", url=receiver.url)
    with pytest.raises(PermissionDenied):
        webhook_endpoint_create(actor=xh_organizer, unit=tree["330108"], name="x", url=receiver.url)
    with pytest.raises(ApplicationError):
        webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url="ftp://example.cn/")
    endpoint, old = webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    new = webhook_endpoint_rotate_secret(actor=xh_organizer, endpoint=endpoint)
    endpoint.refresh_from_db()
    assert new != old and endpoint.secret == new
    assert AuditEntry.objects.filter(action="notifications.webhook_secret_rotated").exists()


def test_two_workers_never_send_one_delivery_twice(receiver, xh_organizer, xh_handler, tree):
    from qingdan.notifications.services import webhook_delivery_attempt

    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    notify(recipients=[xh_handler], kind="item.dispatched", title="a", unit_path=tree["330106"].path)  # not sent
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=now) is not None
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=now) is None
    assert len(receiver.requests) == 1


def test_with_the_database_engine_a_failed_delivery_queues_its_own_retry(receiver, xh_organizer, xh_handler, tree,
                                                                         settings):
    from django_tasks_db.models import DBTaskResult

    from qingdan.notifications.tasks import webhook_deliver_task

    receiver.script = [500]
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=receiver.url)
    notify(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    delivery = WebhookDelivery.objects.get()
    settings.TASKS = {"default": settings.TASK_BACKENDS["db"]}
    assert webhook_deliver_task.call(delivery.pk) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert queued.run_after == delivery.next_try and queued.args_kwargs["args"] == [delivery.pk]


@pytest.mark.parametrize("url", ["{receiver}/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/x",
                                 "http://10.0.0.7/hook"])
def test_webhooks_to_internal_addresses_are_refused(url, send, receiver, xh_organizer, xh_handler, tree, settings):
    # As deployed (not the suite's or the demo's setting): no posting into the server's own network.
    settings.QINGDAN_WEBHOOK_ALLOW_PRIVATE = False
    webhook_endpoint_create(actor=xh_organizer, unit=tree["330106"], name="x", url=url.format(receiver=receiver.url))
    send(recipients=[xh_handler], kind="item.overdue", title="逾期", unit_path=tree["330106"].path)
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.last_status_code is None and delivery.last_error.startswith("refused:")
    assert delivery.status != DeliveryStatus.DELIVERED
