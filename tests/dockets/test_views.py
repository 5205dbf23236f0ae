"""The staff pages: what each person sees and may do, refusals shown with what was typed."""

import pytest
from django.urls import reverse

from qingdan.dockets.choices import ItemStatus
from qingdan.dockets.models import Evidence, Item
from qingdan.dockets.services import item_accept, item_dispatch, item_request_closure

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_a_neighbour_gets_404_for_an_item_and_its_evidence(client, make_item, hz_operator, xh_handler, bj_handler,
                                                          png):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    item_request_closure(actor=xh_handler, item=item, reply="完成", files=[("a.png", png)])
    evidence = Evidence.objects.get(item=item)
    login(client, bj_handler)
    assert client.get(reverse("dockets:item", args=[item.pk])).status_code == 404
    assert client.get(reverse("dockets:evidence", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("dockets:item_act", args=[item.pk, "close"])).status_code == 404
    login(client, xh_handler)
    response = client.get(reverse("dockets:evidence", args=[evidence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_the_handler_accepts_from_the_page_and_sees_only_allowed_steps(client, make_item, hz_operator, xh_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    login(client, xh_handler)
    page = client.get(reverse("dockets:item", args=[item.pk])).content.decode()
    assert reverse("dockets:item_act", args=[item.pk, "accept"]) in page
    assert reverse("dockets:item_act", args=[item.pk, "close"]) not in page
    response = client.post(reverse("dockets:item_act", args=[item.pk, "accept"]), {"version": item.version})
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).status == ItemStatus.ACCEPTED


def test_a_stale_page_gets_a_conflict_message_and_keeps_the_text(client, make_item, hz_operator, xh_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    stale = item.version
    item_accept(actor=xh_handler, item=item)
    login(client, xh_handler)
    response = client.post(reverse("dockets:item_act", args=[item.pk, "progress"]),
                           {"version": stale, "progress": 30, "text": "我写的进展说明"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "我写的进展说明" in body
    assert Item.objects.get(pk=item.pk).progress == 0


def test_user_text_is_escaped(client, make_item, hz_operator):
    item = make_item(title="<script>alert('x')</script>整改")
    login(client, hz_operator)
    body = client.get(reverse("dockets:item", args=[item.pk])).content.decode()
    assert "<script>alert" not in body and "&lt;script&gt;" in body


def test_list_a_submission_from_the_docket_page(client, docket, hz_operator, tree):
    from qingdan.intake.services import submission_create

    submission, _ = submission_create(actor=None, channel="web", kind="complaint", subject="路灯不亮",
                                      text="留下村村口的路灯坏了一个月。", unit=tree["330106009"], name="", phone="",
                                      anonymous=True)
    login(client, hz_operator)
    url = reverse("dockets:docket", args=[docket.pk])
    page = client.get(url, {"submission": submission.tracking_code}).content.decode()
    assert "路灯不亮" in page
    response = client.post(url, {"title": "路灯不亮", "lead_unit": "330106009", "submission": submission.tracking_code,
                                 "priority": "normal"})
    assert response.status_code == 302
    item = Item.objects.get(docket=docket)
    assert list(item.submissions.all()) == [submission]


def test_bad_unit_on_the_form_is_a_field_error(client, docket, hz_operator):
    login(client, hz_operator)
    response = client.post(reverse("dockets:docket", args=[docket.pk]),
                           {"title": "某问题", "lead_unit": "没有这个单位", "priority": "normal"})
    assert response.status_code == 400
    assert "没有这个单位" in response.content.decode()
    assert not Item.objects.exists()


def test_bulk_dispatch(client, make_item, hz_operator):
    items = [make_item(title=f"事项{i}") for i in range(3)]
    login(client, hz_operator)
    response = client.post(reverse("dockets:docket_dispatch", args=[items[0].docket_id]),
                           {"items": [items[0].pk, items[2].pk]})
    assert response.status_code == 302
    assert sorted(Item.objects.filter(status="dispatched").values_list("pk", flat=True)) == [items[0].pk, items[2].pk]


def test_queue_filters_and_search(client, make_item, hz_supervisor, tree):
    make_item(title="留下街道污水管网改造")
    make_item(title="夜间施工噪音", lead_unit=tree["330108"])
    login(client, hz_supervisor)
    body = client.get(reverse("dockets:queue"), {"view": "all", "q": "污水"}).content.decode()
    assert "污水管网" in body and "夜间施工" not in body
    body = client.get(reverse("dockets:queue"), {"view": "all", "unit": "330108"}).content.decode()
    assert "夜间施工" in body and "污水管网" not in body


def test_export_then_import_into_another_list(client, make_item, hz_supervisor, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qingdan.dockets.services import docket_create

    make_item(title="第一项")
    make_item(title="第二项", lead_unit=tree["330108"])
    login(client, hz_supervisor)
    source = Item.objects.first().docket
    exported = client.get(reverse("dockets:docket_export", args=[source.pk]))
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    target = docket_create(actor=hz_supervisor, name="复制的清单", owner_unit=tree["3301"])
    response = client.post(reverse("dockets:docket_import", args=[target.pk]),
                           {"file": SimpleUploadedFile("items.xlsx", exported.content)})
    assert response.status_code == 302
    assert sorted(Item.objects.filter(docket=target).values_list("title", flat=True)) == ["第一项", "第二项"]


def test_a_bad_import_file_names_its_rows_and_saves_nothing(client, docket, hz_supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, hz_supervisor)
    csv = "问题,牵头单位,完成时限\n好的一项,330106,2099-01-01\n坏的一项,999999,2099-01-01\n".encode()
    response = client.post(reverse("dockets:docket_import", args=[docket.pk]),
                           {"file": SimpleUploadedFile("items.csv", csv)}, follow=True)
    body = response.content.decode()
    assert "999999" in body
    assert not Item.objects.exists()


def test_a_unit_outside_the_scope_is_named_and_ignored(client, make_item, xh_handler, hz_operator):
    item = item_dispatch(actor=hz_operator, item=make_item(title="西湖区的事项"))
    login(client, xh_handler)
    body = client.get(reverse("dockets:queue"), {"view": "unit", "unit": "330108"}).content.decode()
    from django.utils.translation import gettext

    assert gettext("Unit %(code)s is not in your scope.") % {"code": "330108"} in body
    assert item.title in body  # the other filters still apply, the unit is left out
