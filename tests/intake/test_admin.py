"""The admin shows submissions under the same rules, reports included."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_admin_lists_scope_and_hides_reports_from_the_named_units_managers(client, submit, tree, xh_organizer):
    ordinary = submit(unit=tree["330106009"], subject="路灯不亮")
    neighbour = submit(unit=tree["330108001"], subject="邻区井盖")
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], subject="举报某所长",
                    anonymous=True)
    client.force_login(xh_organizer)
    body = client.get("/admin/intake/submission/").content.decode()
    assert ordinary.tracking_code in body
    assert neighbour.tracking_code not in body and report.tracking_code not in body
    assert client.get(f"/admin/intake/submission/{report.pk}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/intake/submission/{neighbour.pk}/change/").status_code in (302, 403, 404)


def test_admin_detail_masks_contacts_for_an_organizer(client, submit, tree, xh_organizer):
    submission = submit(unit=tree["330106009"], name="张三", phone="13812345678")
    client.force_login(xh_organizer)
    body = client.get(f"/admin/intake/submission/{submission.pk}/change/").content.decode()
    assert "138****5678" in body and "13812345678" not in body
