"""The operator sees the suggested category and its reasons on a submission, and corrects it."""

import pytest
from django.urls import reverse

from qingdan.audit.models import AuditEntry
from qingdan.people.choices import Role
from qingdan.triage.services import categories

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
