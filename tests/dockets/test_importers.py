"""Importing a docket's items: the provincial list of 44, and every bad row refused with nothing saved."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import ImportRejected, PermissionDenied
from qingdan.dockets.exporters import items_export_xlsx
from qingdan.dockets.importers import items_import, parse_date
from qingdan.dockets.models import Item, ItemEvent
from qingdan.dockets.services import docket_create
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from tests.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "问题", "具体表现", "牵头单位", "配合单位", "责任领导", "承办人", "整改措施", "承诺",
           "完成时限", "工作日", "优先级", "类别", "上级事项", "公开"]


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def province_docket(tree, zj_organizer):
    return docket_create(actor=zj_organizer, name="省级问题清单", owner_unit=tree["33"], source="inspection")


@pytest.fixture
def people(tree, make_staff):
    return {"xh_handler": make_staff("xh_handler", Role.HANDLER, tree["330106"]),
            "xh_leader": make_staff("xh_leader", Role.LEADER, tree["330106"]),
            "bj_handler": make_staff("bj_handler", Role.HANDLER, tree["330108"])}


def provincial_rows(count: int = 44) -> list[list]:
    """A list as a provincial office types it: names and codes, three date styles, parents, sub-items."""
    rows = [HEADERS]
    leads = ["330106", "西湖区", "滨江区", "330106-GA", "留下街道", "330108-GA"]
    for n in range(1, count + 1):
        lead = leads[n % len(leads)]
        in_xh = lead in ("330106", "西湖区", "330106-GA", "留下街道")
        deadline: object = ""
        working_days: object = ""
        if n % 4 == 0:
            deadline = in_days(30 + n)  # an Excel date cell
        elif n % 4 == 1:
            deadline = in_days(60 + n).strftime("%Y/%m/%d")
        elif n % 4 == 2:
            day = in_days(90 + n)
            deadline = f"{day.year}年{day.month}月{day.day}日"
        else:
            working_days = 15 + n
        rows.append([
            n, f"第{n}项：群众反映的突出问题", f"具体表现{n}：办事排长队、材料反复提交", lead,
            "330108、滨江区公安局" if in_xh and n % 3 == 0 else "",
            "xh_leader" if in_xh and n % 5 == 0 else "", "xh_handler" if lead == "330106" else "",
            f"整改措施{n}", f"承诺{n}：限期整改到位", deadline, working_days, ["一般", "重要", "紧急"][n % 3],
            ["营商环境", "民生", "基层治理"][n % 3], n - 1 if n in (8, 9) else "", "是" if n % 2 else "否",
        ])
    return rows


def test_a_provincial_list_of_44_items_imports_and_round_trips(province_docket, zj_organizer, people, tree):
    data = xlsx_bytes(*provincial_rows())
    result = items_import(actor=zj_organizer, docket=province_docket, name="省级清单.xlsx", data=data)
    assert result.created == list(range(1, 45)) and result.encoding == "xlsx"
    items = {i.number: i for i in Item.objects.filter(docket=province_docket)}
    assert len(items) == 44
    assert items[1].lead_unit.code == "330106" and items[1].deadline == in_days(61)  # by name 西湖区; 2026/1/31
    assert items[2].lead_unit.code == "330108" and items[2].deadline == in_days(92)  # 2026年1月31日
    assert items[3].deadline is None and items[3].deadline_working_days == 18
    assert sorted(u.code for u in items[3].co_units.all()) == ["330108", "330108-GA"]
    assert items[4].lead_unit.code == "330106009" and items[4].deadline == in_days(34)  # an Excel date
    assert items[6].handler.username == "xh_handler" and items[10].leader.username == "xh_leader"
    assert items[8].parent == items[7] and items[9].parent == items[8]
    assert items[1].priority == "high" and items[2].priority == "urgent" and items[3].priority == "normal"
    assert items[1].published and not items[2].published and items[3].category == "营商环境"
    assert ItemEvent.objects.filter(item__docket=province_docket, kind="listed").count() == 44
    assert AuditEntry.objects.filter(action="dockets.items_imported").count() == 1

    exported = items_export_xlsx(user=zj_organizer, queryset=Item.objects.filter(docket=province_docket))
    copy = docket_create(actor=zj_organizer, name="省级问题清单（副本）", owner_unit=tree["33"])
    again = items_import(actor=zj_organizer, docket=copy, name="export.xlsx", data=exported)
    assert again.created == list(range(1, 45))
    fields = ("number", "title", "description", "lead_unit_id", "leader_id", "handler_id", "measures", "commitment",
              "deadline", "deadline_working_days", "priority", "category", "published")
    for number, original in items.items():
        twin = Item.objects.get(docket=copy, number=number)
        assert [getattr(twin, f) for f in fields] == [getattr(original, f) for f in fields]
        assert set(twin.co_units.all()) == set(original.co_units.all())
        assert (twin.parent.number if twin.parent else None) == (original.parent.number if original.parent else None)


def test_bad_rows_each_get_one_error_and_nothing_is_saved(tree, xh_organizer, people):
    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    rows = [HEADERS,
            [1, "好的一项", "", "330106", "", "", "", "", "", in_days(30), "", "一般", "", "", "否"],
            [2, "未知单位", "", "999999", "", "", "", "", "", in_days(30), "", "", "", "", ""],
            [3, "时限已过", "", "330106", "", "", "", "", "", "2020-01-01", "", "", "", "", ""],
            [4, "循环上级甲", "", "330106", "", "", "", "", "", in_days(30), "", "", "", 5, ""],
            [5, "循环上级乙", "", "330106", "", "", "", "", "", in_days(30), "", "", "", 4, ""],
            [6, "日期错误", "", "330106", "", "", "", "", "", "2026年13月45日", "", "", "", "", ""],
            [7, "兄弟区县的单位", "", "330108", "", "", "", "", "", in_days(30), "", "", "", "", ""],
            [8, "兄弟区县的单位名", "", "滨江区公安局", "", "", "", "", "", in_days(30), "", "", "", "", ""],
            [9, "另一个好的一项", "", "留下村", "", "", "", "", "", "", 10, "", "", 1, ""]]
    with pytest.raises(ImportRejected) as exc:
        items_import(actor=xh_organizer, docket=docket, name="bad.xlsx", data=xlsx_bytes(*rows))
    by_row = {}
    for error in exc.value.errors:
        by_row.setdefault(error.row, []).append(error)
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]  # spreadsheet rows: the header is row 1
    assert all(len(errors) == 1 for errors in by_row.values()), exc.value.errors
    unknown = gettext("unknown unit %(ref)s")  # the messages are in the user's language
    assert by_row[3][0].column == "lead_unit" and by_row[3][0].reason == unknown % {"ref": "999999"}
    assert by_row[4][0].column == "deadline" and "2020-01-01" in by_row[4][0].reason
    assert by_row[5][0].column == "parent" and by_row[6][0].column == "parent"
    assert by_row[7][0].column == "deadline" and "13" in by_row[7][0].reason
    # The neighbouring county is outside the organizer's scope: unknown, its existence not confirmed.
    assert by_row[8][0].reason == unknown % {"ref": "330108"}
    assert by_row[9][0].reason == unknown % {"ref": "滨江区公安局"}
    # Row 10 (under row 2, a good row) is fine and listed nowhere; still nothing is saved.
    assert not Item.objects.exists() and not ItemEvent.objects.exists()
    assert not AuditEntry.objects.filter(action__in=["dockets.item_listed", "dockets.items_imported"]).exists()


def test_the_same_rules_as_the_form(tree, xh_organizer, people):
    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    rows = [HEADERS,
            [1, "", "", "330106", "", "", "", "", "", "", "", "", "", "", ""],
            [2, "外区承办人", "", "330106", "", "", "bj_handler", "", "", "", "", "", "", "", ""],
            [3, "无此账号", "", "330106", "", "nobody", "", "", "", "", "", "", "", "", ""],
            [4, "两种时限", "", "330106", "", "", "", "", "", in_days(9), 5, "", "", "", ""],
            [5, "优先级", "", "330106", "", "", "", "", "", "", "", "尽快", "", "", ""],
            [6, "上级不存在", "", "330106", "", "", "", "", "", "", "", "", "", 77, ""],
            [7, "牵头也配合", "", "330106", "西湖区", "", "", "", "", "", "", "", "", "", ""],
            [8, "上级的单位", "", "杭州市", "", "", "", "", "", "", "", "", "", "", ""],
            [9, "公开写错", "", "330106", "", "", "", "", "", "", "", "", "", "", "也许"]]
    with pytest.raises(ImportRejected) as exc:
        items_import(actor=xh_organizer, docket=docket, name="bad.csv", data=xlsx_bytes(*rows))
    got = {(e.row, e.column) for e in exc.value.errors}
    assert got == {(2, "title"), (3, "handler"), (4, "leader"), (5, "deadline"), (6, "priority"), (7, "parent"),
                   (8, "co_units"), (9, "lead_unit"), (10, "published")}
    assert not Item.objects.exists()


def test_ambiguous_unit_names_list_the_candidates(province_docket, zj_organizer, tree):
    for county in ("330106", "330108"):
        Unit.objects.add_child(Unit.objects.get(code=county), {"code": f"{county}-CG", "name": "城管局",
                                                                "kind": UnitKind.DEPARTMENT,
                                                                "level": UnitLevel.COUNTY})
    data = xlsx_bytes(["问题", "牵头单位"], ["占道经营", "城管局"], ["占道经营", "330108-CG"])
    with pytest.raises(ImportRejected) as exc:
        items_import(actor=zj_organizer, docket=province_docket, name="f.xlsx", data=data)
    [error] = exc.value.errors
    assert error.row == 2 and "330106-CG" in error.reason and "330108-CG" in error.reason


def test_a_gbk_csv_with_english_headers(tree, xh_organizer):
    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    data = csv_bytes("number,title,lead_unit,co_units,deadline,priority,parent",
                     f"1,污水管网改造,330106009,留下村；小和山社区,{in_days(40).isoformat()},紧急,",
                     "2,雨污分流,留下村,,,一般,1", encoding="gbk")
    result = items_import(actor=xh_organizer, docket=docket, name="list.csv", data=data)
    assert result.encoding == "gb18030" and result.created == [1, 2]
    first, second = Item.objects.filter(docket=docket).order_by("number")
    assert first.title == "污水管网改造" and first.priority == "urgent"
    assert sorted(u.code for u in first.co_units.all()) == ["330106009001", "330106009002"]
    assert second.parent == first and second.lead_unit.code == "330106009001"


def test_a_parent_may_be_an_existing_item_or_a_later_row(tree, xh_organizer):
    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    items_import(actor=xh_organizer, docket=docket, name="a.csv", data=csv_bytes("问题,牵头单位", "总任务,330106"))
    data = csv_bytes("序号,问题,牵头单位,上级事项", "1,子任务,330106009,2", "2,分任务,330106,1")
    # Row 1 names row 2 as its parent, row 2 names item 1 of the list... which is row 1 of this file:
    with pytest.raises(ImportRejected):
        items_import(actor=xh_organizer, docket=docket, name="b.csv", data=data)
    data = csv_bytes("序号,问题,牵头单位,上级事项", "10,子任务,330106009,20", "20,分任务,330106,1")
    result = items_import(actor=xh_organizer, docket=docket, name="c.csv", data=data)
    assert result.created == [3, 2]  # the parent row was created first
    sub, part = Item.objects.get(docket=docket, number=3), Item.objects.get(docket=docket, number=2)
    assert sub.parent == part and part.parent.number == 1


def test_only_list_offices_import(tree, xh_handler):
    docket = docket_create(actor="system", name="西湖区清单", owner_unit=tree["330106"])
    with pytest.raises(PermissionDenied):
        items_import(actor=xh_handler, docket=docket, name="a.csv", data=csv_bytes("问题,牵头单位", "x,330106"))


def test_a_file_without_the_required_columns_is_refused(tree, xh_organizer):
    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    with pytest.raises(ImportRejected) as exc:
        items_import(actor=xh_organizer, docket=docket, name="a.csv", data=csv_bytes("问题,单位", "x,330106"))
    assert [e.column for e in exc.value.errors] == ["lead_unit"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-31", datetime.date(2026, 12, 31)), ("2026/12/31", datetime.date(2026, 12, 31)),
    ("2026年12月31日", datetime.date(2026, 12, 31)), ("2026.1.5", datetime.date(2026, 1, 5)),
    ("2026-12-31T00:00:00", datetime.date(2026, 12, 31)), ("46387", datetime.date(2026, 12, 31)),
    ("20261231", datetime.date(2026, 12, 31)),
])
def test_dates_as_offices_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "明年", "12/31/2026", "99999999", "20261331"])
def test_unreadable_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_the_command_imports_as_a_user(tree, xh_organizer, tmp_path):
    from django.core.management import CommandError, call_command

    docket = docket_create(actor=xh_organizer, name="西湖区清单", owner_unit=tree["330106"])
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("问题,牵头单位", "路灯不亮,留下街道"))
    call_command("import-items", str(good), "--docket", str(docket.pk), "--as", "xh_organizer")
    assert Item.objects.get(docket=docket).lead_unit.code == "330106009"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("问题,牵头单位", "路灯不亮,330108"))
    with pytest.raises(CommandError):
        call_command("import-items", str(bad), "--docket", str(docket.pk), "--as", "xh_organizer")
    other = docket_create(actor="system", name="滨江区清单", owner_unit=tree["330108"])
    with pytest.raises(CommandError):  # a list outside the user's scope is not found
        call_command("import-items", str(good), "--docket", str(other.pk), "--as", "xh_organizer")
    assert Item.objects.count() == 1
