"""The operator sees the suggested category and its reasons on a submission, and corrects it."""

import pytest
from django.urls import reverse

from qingdan.audit.models import AuditEntry
from qingdan.triage.services import categories
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def test_operator_sees_the_suggestion_and_corrects_it(client, submit, tree, make_staff):
    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    submission = submit(subject="小区噪音扰民", text="晚上十点后广场舞音响声音太大，影响居民休息。")
    client.force_login(operator)
    url = reverse("triage:suggestion", args=[submission.tracking_code])
    page = client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    triage = submission.triage
    assert triage.category and triage.category in page.content.decode()
    other = next(c for c in categories() if c != triage.category)
    response = client.post(url, {"category": other}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and other in response.content.decode()
    triage.refresh_from_db()
    assert triage.corrected_category == other and triage.corrected_by == operator
    assert AuditEntry.objects.filter(action="triage.category_corrected").count() == 1
    bad = client.post(url, {"category": "<script>x</script>"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "<script>x" not in bad.content.decode()
    triage.refresh_from_db()
    assert triage.corrected_category == other  # the earlier correction stands


def test_a_neighbour_gets_404(client, submit, bj_handler):
    submission = submit()
    client.force_login(bj_handler)
    assert client.get(reverse("triage:suggestion", args=[submission.tracking_code])).status_code == 404
    assert client.post(reverse("triage:suggestion", args=[submission.tracking_code]),
                       {"category": categories()[0]}).status_code == 404


def test_the_operator_sees_the_hot_issue_and_the_units_to_send_it_to(client, submit, tree, make_staff):
    from qingdan.triage.routing import route_suggest

    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    first = submit(subject="魅力之城小区餐馆油烟扰民", phone="13800000001",
                   text="魅力之城小区楼下的餐馆油烟太大，晚上噪音也很大，居民无法休息。")
    submission = submit(subject="魅力之城小区油烟噪音问题", phone="13800000002",
                        text="魅力之城小区临街餐馆油烟直排，噪音扰民，希望尽快处理。")
    assert submission.triage.hot_issue_id == first.triage.hot_issue_id  # the two are one problem
    client.force_login(operator)
    page = client.get(reverse("triage:suggestion", args=[submission.tracking_code]),
                      HTTP_HX_REQUEST="true").content.decode()
    assert first.triage.hot_issue.title in page
    assert "2 条留言，2 人反映" in page
    suggested = route_suggest(submission=submission)
    assert suggested and all(s.unit.name in page for s in suggested)
    assert page.index(suggested[0].unit.name) < page.index(suggested[-1].unit.name) or len(suggested) == 1
