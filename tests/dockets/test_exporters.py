"""Exporting items: only what the reader may see, nothing about citizens, no formula runs."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from qingdan.audit.models import AuditEntry
from qingdan.dockets.exporters import HEADERS, escape_cell, items_export_xlsx
from qingdan.dockets.models import Item
from qingdan.dockets.services import item_create, item_dispatch, item_link_submissions

pytestmark = pytest.mark.django_db


def sheet_rows(data: bytes) -> list[list]:
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.worksheets) == 1
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def city_items(docket, tree, hz_operator):
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    made = {}
    for code, title in (("330106", "西湖区的事项"), ("330106009", "留下街道的事项"), ("330108", "滨江区的事项"),
                        ("330108-GA", "滨江区公安局的事项")):
        made[code] = item_create(actor=hz_operator, docket=docket, title=title, lead_unit=tree[code],
                                 deadline=deadline, commitment="=HYPERLINK(\"http://evil.example\",\"点这里\")")
    return made


def test_a_county_user_exports_only_its_items(city_items, docket, bj_handler):
    data = items_export_xlsx(user=bj_handler, queryset=Item.objects.filter(docket=docket))
    rows = sheet_rows(data)
    assert rows[0] == HEADERS
    assert sorted(r[1] for r in rows[1:]) == ["滨江区公安局的事项", "滨江区的事项"]
    entry = AuditEntry.objects.filter(action="dockets.items_exported").latest("pk")
    assert entry.after == {"rows": 2}


def test_a_wide_queryset_from_the_caller_is_narrowed_again(city_items, xh_handler):
    rows = sheet_rows(items_export_xlsx(user=xh_handler, queryset=Item.objects.all()))
    assert sorted(r[1] for r in rows[1:]) == ["留下街道的事项", "西湖区的事项"]


def test_typed_formulas_are_escaped(city_items, docket, hz_supervisor, hz_operator):
    item = city_items["330106"]
    from qingdan.dockets.services import item_update

    item_update(actor=hz_operator, item=item, version=item.version,
                changes={"title": "+1 加号开头", "measures": "@SUM(A1)", "category": "-负号"})
    rows = sheet_rows(items_export_xlsx(user=hz_supervisor, queryset=Item.objects.filter(docket=docket)))
    column = {name: HEADERS.index(name) for name in ("问题", "承诺", "整改措施", "类别")}
    row = next(r for r in rows if r[0] == item.number)
    assert row[column["问题"]] == "'+1 加号开头"
    assert row[column["承诺"]] == "'=HYPERLINK(\"http://evil.example\",\"点这里\")"
    assert row[column["整改措施"]] == "'@SUM(A1)" and row[column["类别"]] == "'-负号"
    workbook = load_workbook(io.BytesIO(items_export_xlsx(user=hz_supervisor, queryset=Item.objects.all())))
    assert not any(cell.data_type == "f" for line in workbook.worksheets[0].iter_rows() for cell in line)
    assert escape_cell("普通文字") == "普通文字" and escape_cell("") == ""


def test_no_citizen_data_leaves_with_the_items(city_items, docket, hz_operator, hz_supervisor, tree):
    from qingdan.intake.services import submission_create

    submission, _new = submission_create(actor="test", channel="web", kind="complaint",
                                         text="路灯坏了很久没人修，晚上很危险。", unit=tree["330106"],
                                         name="王小明", phone="13912345678", email="wang@example.com")
    item_link_submissions(actor=hz_operator, item=city_items["330106"], submissions=[submission])
    item_dispatch(actor=hz_operator, item=city_items["330106"])
    data = items_export_xlsx(user=hz_supervisor, queryset=Item.objects.filter(docket=docket))
    text = repr(sheet_rows(data))
    for secret in ("王小明", "13912345678", "wang@example.com", submission.tracking_code, "路灯坏了"):
        assert secret not in text
    row = next(r for r in sheet_rows(data) if r[0] == city_items["330106"].number)
    assert row[HEADERS.index("状态")] == "已交办" and row[HEADERS.index("等级")] == "绿"
    assert isinstance(row[HEADERS.index("交办时间")], datetime.datetime)


def test_the_command_exports_as_a_user(city_items, docket, bj_handler, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "items.xlsx"
    call_command("export-items", "--docket", str(docket.pk), "--as", "bj_handler", "--output", str(out))
    assert len(sheet_rows(out.read_bytes())) == 3
