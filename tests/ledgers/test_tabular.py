"""Ledger imports: all or nothing, every bad row listed, duplicates refused; exports read back."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from qingdan.core.errors import ImportRejected
from qingdan.intake.models import Submission
from qingdan.ledgers.models import Liaison, SessionAttendance, StudySession, Visit
from qingdan.ledgers.tabular import ledger_export, sessions_import, visits_import
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


VISIT_HEADER = ["走访日期", "走访人", "走访地点", "走访企业", "走访户数", "走访企业数", "听取意见", "现场解决问题数",
                "发现问题"]


def test_visits_import_and_export_round_trip(tree, lx_leader):
    today = timezone.localdate()
    data = xlsx([VISIT_HEADER,
                 [today.isoformat(), "lx_leader", "留下村", "", 12, 0, "修路", 1, "村口道路破损\n垃圾清运不及时"],
                 [today.strftime("%Y年%m月%d日"), "lx_leader", "330106009002", "某科技公司", 0, 1, "用工", 0, ""]])
    result = visits_import(actor=lx_leader, name="走访台账.xlsx", data=data)
    assert (result.rows, result.created) == (2, 2)
    assert Visit.objects.count() == 2 and Submission.objects.filter(channel="visit").count() == 2
    exported = ledger_export(user=lx_leader, ledger="visits")
    Visit.objects.all().delete()
    assert visits_import(actor=lx_leader, name="again.xlsx", data=exported).created == 2


def test_bad_rows_and_duplicates_reject_the_whole_file(tree, lx_leader):
    today = timezone.localdate()
    future = (today + datetime.timedelta(days=3)).isoformat()
    data = xlsx([VISIT_HEADER,
                 [today.isoformat(), "lx_leader", "留下村", "", 5, 0, "好", 0, "路灯坏了"],
                 [future, "lx_leader", "留下村", "", 5, 0, "未来", 0, ""],
                 [today.isoformat(), "lx_leader", "西兴街道", "", 5, 0, "别区", 0, ""],
                 [today.isoformat(), "lx_leader", "留下村", "", 5, 0, "好", 0, "路灯坏了"],
                 [today.isoformat(), "lx_leader", "留下村", "", "很多", 0, "x", 0, ""]])
    with pytest.raises(ImportRejected) as caught:
        visits_import(actor=lx_leader, name="bad.xlsx", data=data)
    rows = {e.row: e for e in caught.value.errors}
    assert set(rows) == {3, 4, 5, 6}
    assert rows[3].column == "visited_on" and rows[4].column == "unit" and rows[6].column == "households"
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_sessions_import_checks_attendees(tree, lx_leader, make_staff):
    make_staff("lx_m1", Role.HANDLER, tree["330106009"])
    make_staff("bj_m1", Role.HANDLER, tree["330108"])
    header = ["单位", "形式", "主题", "开始日期", "时长", "时长单位", "参加人员", "缺席人员", "补学人员"]
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    good = xlsx([header, ["330106009", "党课", "党课一", day, 3, "小时", "lx_leader", "", "lx_m1"]])
    assert sessions_import(actor=lx_leader, name="学习.xlsx", data=good).created == 1
    assert SessionAttendance.objects.filter(status="made_up").count() == 1
    bad = xlsx([header, ["330106009", "读书班", "读书班", day, 2, "天", "lx_leader、bj_m1", "", ""],
                ["330106009", "晚会", "x", day, 1, "天", "", "", ""]])
    with pytest.raises(ImportRejected) as caught:
        sessions_import(actor=lx_leader, name="bad.xlsx", data=bad)
    assert [e.row for e in caught.value.errors] == [2, 3]
    assert StudySession.objects.count() == 1
    exported = ledger_export(user=lx_leader, ledger="sessions")
    StudySession.objects.all().delete()
    assert sessions_import(actor=lx_leader, name="again.xlsx", data=exported).created == 1


def test_liaisons_import_by_command(tree, lx_leader, zj_organizer, tmp_path):
    path = tmp_path / "包联.xlsx"
    path.write_bytes(xlsx([["包联领导", "包联单位", "开始日期", "结束日期"],
                           ["lx_leader", "留下街道", "2026-01-01", ""],
                           ["lx_leader", "留下街道", "2026-01-01", ""]]))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import-ledger", "liaisons", str(path), "--as", "zj_organizer", stderr=io.StringIO())
    assert not Liaison.objects.exists()
    path.write_bytes(xlsx([["包联领导", "包联单位", "开始日期"], ["lx_leader", "留下街道", "2026-01-01"]]))
    call_command("import-ledger", "liaisons", str(path), "--as", "zj_organizer")
    assert Liaison.objects.get().unit == tree["330106009"]
    out = tmp_path / "out.xlsx"
    call_command("export-ledger", "liaisons", str(out))
    assert out.stat().st_size > 0


def test_import_page_lists_every_bad_row(client, tree, lx_leader):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(lx_leader)
    today = timezone.localdate().isoformat()
    data = xlsx([VISIT_HEADER, [today, "lx_leader", "留下村", "", 1, 0, "a", 0, ""],
                 [today, "lx_leader", "留下村", "", 1, 0, "a", 0, ""]])
    page = client.post("/ledgers/import/", {"ledger": "visits", "file": SimpleUploadedFile("v.xlsx", data)})
    assert 'id="import-errors"' in page.content.decode() and not Visit.objects.exists()
    response = client.get("/ledgers/export/visits.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert client.get("/ledgers/export/secrets.xlsx").status_code == 404


def test_topics_import_and_export(tree, lx_leader, make_staff):
    from qingdan.ledgers.models import ResearchTopic
    from qingdan.ledgers.tabular import topics_import

    make_staff("lx_m1", Role.HANDLER, tree["330106009"])
    day = timezone.localdate().isoformat()
    header = ["单位", "调研课题", "负责人", "开始日期"]
    data = xlsx([header, ["330106009", "村级集体经济", "lx_leader、lx_m1", day],
                 ["330106009", "养老服务", "nobody", day]])
    with pytest.raises(ImportRejected) as caught:
        topics_import(actor=lx_leader, name="t.xlsx", data=data)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "owners")]
    assert not ResearchTopic.objects.exists()
    good = xlsx([header, ["330106009", "村级集体经济", "lx_leader、lx_m1", day]])
    topics_import(actor=lx_leader, name="t.xlsx", data=good)
    assert ResearchTopic.objects.get().owners.count() == 2
    exported = ledger_export(user=lx_leader, ledger="topics")
    ResearchTopic.objects.all().delete()
    assert topics_import(actor=lx_leader, name="again.xlsx", data=exported).created == 1
