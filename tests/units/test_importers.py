"""units_import and ``qingdan import-units``: all or nothing, every bad row named, scope enforced."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_verify
from qingdan.core.errors import ImportRejected
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.importers import units_import
from qingdan.units.models import Unit
from tests.files import csv_bytes, xlsx_bytes
from tests.units.test_divisions import assert_tree_sound

# The summary in the active language (commands and services may run in either).
NOTHING_IMPORTED = re.compile("未导入任何内容|nothing was imported")


def reject(actor, data: bytes) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        units_import(actor=actor, source=data)
    return info.value


def snapshot() -> list[tuple]:
    return list(Unit.objects.order_by("path").values_list("code", "name", "kind", "path", "numchild", "is_active"))


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


# --- good files -------------------------------------------------------------------------------------------------


def test_system_imports_new_units_in_any_order(tree):
    before_audit = AuditEntry.objects.count()
    data = csv_bytes(
        "code,name,kind,parent,level",
        "330106-WJW-1,卫健委一科,department,330106-WJW,",  # child listed before its parent
        "330106-WJW,西湖区卫健委,department,330106,",
        "330106-DW,中共西湖区委,party,330106,",
        "330106009-DZB,留下街道党支部,党支部,330106009,乡镇",
    )
    result = units_import(actor="system", source=data)

    assert sorted(result.created) == ["330106-DW", "330106-WJW", "330106-WJW-1", "330106009-DZB"]
    assert result.updated == [] and result.unchanged == 0
    wjw, section = unit("330106-WJW"), unit("330106-WJW-1")
    assert Unit.objects.get_parent(section).code == "330106-WJW"
    assert Unit.objects.get_parent(wjw).code == "330106"
    assert unit("330106-DW").kind == UnitKind.PARTY
    assert unit("330106009-DZB").kind == UnitKind.PARTY
    assert unit("330106009-DZB").level == UnitLevel.TOWNSHIP
    assert wjw.level == UnitLevel.COUNTY  # no level given: the parent's
    assert wjw.numchild == 1
    assert unit("330106").numchild == 4  # 留下街道, 公安局 and the two new ones
    assert unit("330106009").numchild == 3
    children = {c.code for c in Unit.objects.get_children(unit("330106"))}
    assert children == {"330106009", "330106-GA", "330106-WJW", "330106-DW"}
    assert_tree_sound()
    # One audit entry per created unit, and the chain still verifies.
    entries = AuditEntry.objects.filter(action="units.unit_imported")
    assert AuditEntry.objects.count() - before_audit == 4
    assert {e.object_id for e in entries} == set(result.created)
    assert entries.get(object_id="330106-WJW").unit_path == wjw.path
    assert audit_verify().ok


def test_chinese_headers_gbk_and_chinese_kinds(tree):
    data = csv_bytes(
        "单位编码,单位名称,类型,上级编码,层级",
        "3301-JW,杭州市纪委监委,纪委监委,3301,市级",
        "3301-QY,杭州某企业,企业,3301,",
        encoding="gbk",
    )
    result = units_import(actor="system", source=data)
    assert sorted(result.created) == ["3301-JW", "3301-QY"]
    assert unit("3301-JW").name == "杭州市纪委监委"
    assert unit("3301-JW").kind == UnitKind.DISCIPLINE
    assert unit("3301-JW").level == UnitLevel.CITY
    assert unit("3301-QY").kind == UnitKind.ORGANIZATION
    assert_tree_sound()


def test_xlsx_with_numeric_codes(tree):
    data = xlsx_bytes(["编码", "名称", "上级编码", "类型"],
                      [330106009003, "新村", 330106009, "区域"],
                      [330106009004.0, "又一村", 330106009.0, "region"])
    result = units_import(actor="system", source=data)
    assert sorted(result.created) == ["330106009003", "330106009004"]
    assert Unit.objects.get_parent(unit("330106009003")).code == "330106009"
    assert unit("330106009004").kind == UnitKind.REGION
    assert unit("330106009").numchild == 4
    assert_tree_sound()


def test_rename_and_reimport_is_idempotent(tree):
    first = csv_bytes("code,name,kind,parent", "330106-GA,西湖区公安分局,department,330106",
                      "330106-NEW,新部门,department,330106")
    result = units_import(actor="system", source=first)
    assert result.created == ["330106-NEW"]
    assert result.updated == ["330106-GA"]
    assert unit("330106-GA").name == "西湖区公安分局"
    entry = AuditEntry.objects.get(action="units.unit_imported", object_id="330106-GA")
    assert entry.before == {"name": "西湖区公安局", "kind": "department"}
    assert entry.after == {"name": "西湖区公安分局", "kind": "department"}

    count, audit_count, shape = Unit.objects.count(), AuditEntry.objects.count(), snapshot()
    again = units_import(actor="system", source=first)
    assert again.created == [] and again.updated == [] and again.unchanged == 2
    assert Unit.objects.count() == count
    assert snapshot() == shape
    assert AuditEntry.objects.count() == audit_count  # nothing changed, nothing recorded


def test_blank_kind_keeps_the_kind_of_an_existing_unit(tree):
    # A rename file without a kind column must not turn the region 西湖区 into a department.
    units_import(actor="system", source=csv_bytes("code,name,parent", "330106,西湖区(新),3301",
                                                  "330106-GA,西湖区公安局,330106"))
    xh = unit("330106")
    assert xh.name == "西湖区(新)"
    assert xh.kind == UnitKind.REGION
    assert unit("330106-GA").kind == UnitKind.DEPARTMENT
    # A new unit without a kind is a department.
    units_import(actor="system", source=csv_bytes("code,name,parent", "330106-X,某科,330106"))
    assert unit("330106-X").kind == UnitKind.DEPARTMENT


def test_explicit_kind_change_is_applied(tree):
    result = units_import(actor="system", source=csv_bytes("code,name,kind,parent",
                                                           "330106-GA,西湖区公安局,organization,330106"))
    assert result.updated == ["330106-GA"]
    assert unit("330106-GA").kind == UnitKind.ORGANIZATION


def test_system_may_add_a_root_unit(tree):
    units_import(actor="system", source=csv_bytes("code,name,kind,parent", "11,北京市,region,"))
    beijing = unit("11")
    assert beijing.depth == 1 and beijing.is_root()
    assert beijing.level == UnitLevel.PROVINCE
    assert_tree_sound()


def test_superuser_may_add_a_root_unit(tree):
    from qingdan.people.models import User

    admin = User.objects.create_superuser("root", password="x-long-password-1")
    units_import(actor=admin, source=csv_bytes("code,name,kind,parent", "11,北京市,region,"))
    assert unit("11").is_root()


def test_a_deactivated_superuser_adds_no_root_by_file_or_by_service(tree):
    """A superuser switched off keeps its flag: neither the import nor unit_create may take it as root."""
    from qingdan.core.errors import PermissionDenied
    from qingdan.people.models import User
    from qingdan.units.services import unit_create

    admin = User.objects.create_superuser("gone", password="x-long-password-1")
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    error = reject(admin, csv_bytes("code,name,kind,parent", "11,北京市,region,"))
    assert [(e.row, e.column) for e in error.errors] == [(2, "parent")]
    with pytest.raises(PermissionDenied):
        unit_create(actor=admin, parent=None, code="12", name="天津市", kind=UnitKind.REGION)
    assert not Unit.objects.filter(code__in=["11", "12"]).exists()


def test_good_file_is_applied_in_one_transaction(tree, monkeypatch):
    # If recording the audit fails after the units were written, the units must not stay.
    import qingdan.units.importers as importers

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(importers, "audit_record_many", broken)
    shape = snapshot()
    with pytest.raises(RuntimeError):
        units_import(actor="system", source=csv_bytes("code,name,parent", "330106-A,甲,330106",
                                                      "330106-GA,改名,330106"))
    assert snapshot() == shape


# --- bad files: every row named, nothing saved -----------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_saved(tree):
    shape, audit_count = snapshot(), AuditEntry.objects.count()
    data = csv_bytes(
        "code,name,kind,parent,level",
        "330106-OK,好的一行,department,330106,",        # 2: fine, but must not be saved
        ",无编码,department,330106,",                    # 3
        "330106 X,有空格,department,330106,",            # 4
        "330106-NONAME,,department,330106,",             # 5
        "330106-KIND,怪类型,spaceship,330106,",          # 6
        "330106-LVL,怪层级,department,330106,9",         # 7
        "330106-OK,重复,department,330106,",             # 8 duplicate of row 2
        "330106-SELF,自己,department,330106-SELF,",      # 9
        "330106-ORPHAN,孤儿,department,999999,",         # 10
        "330106-LONG," + "长" * 121 + ",department,330106,",  # 11
        "330106-LONGCODE" + "X" * 30 + ",长编码,department,330106,",  # 12
    )
    error = reject("system", data)
    found = {(e.row, e.column) for e in error.errors}
    assert found == {(3, "code"), (4, "code"), (5, "name"), (6, "kind"), (7, "level"), (8, "code"),
                     (9, "parent"), (10, "parent"), (11, "name"), (12, "code")}
    by_row = {e.row: e.reason for e in error.errors}
    assert "row 2" in by_row[8]  # the duplicate points at the first occurrence
    assert "999999" in by_row[10]
    assert "spaceship" in by_row[6]
    assert [e.row for e in error.errors] == sorted(e.row for e in error.errors)
    assert str(len(error.errors)) in error.summary and "未导入任何内容" in error.summary
    assert snapshot() == shape
    assert AuditEntry.objects.count() == audit_count


def test_two_unit_cycle_is_reported_on_both_rows(tree):
    error = reject("system", csv_bytes("code,name,parent", "A-1,甲,A-2", "A-2,乙,A-1", "330106-OK,好,330106"))
    cycle = [e for e in error.errors if "loops" in e.reason]
    assert [e.row for e in cycle] == [2, 3]
    assert all(e.column == "parent" for e in cycle)
    assert "2" in cycle[0].reason and "3" in cycle[0].reason
    assert not Unit.objects.filter(code__in=["A-1", "A-2", "330106-OK"]).exists()


def test_longer_cycle_and_a_row_hanging_off_it(tree):
    error = reject("system", csv_bytes("code,name,parent", "C-1,一,C-3", "C-2,二,C-1", "C-3,三,C-2",
                                       "C-4,四,C-1"))
    assert sorted({e.row for e in error.errors}) == [2, 3, 4, 5]
    assert all("loops" in e.reason for e in error.errors)
    assert not Unit.objects.filter(code__startswith="C-").exists()


def test_moving_an_existing_unit_is_refused(tree):
    error = reject("system", csv_bytes("code,name,parent", "330106-GA,西湖区公安局,330108"))
    assert [(e.row, e.column) for e in error.errors] == [(2, "parent")]
    assert "move it in the admin" in error.errors[0].reason
    assert Unit.objects.get_parent(unit("330106-GA")).code == "330106"


def test_existing_root_listed_with_a_parent_is_refused(tree):
    error = reject("system", csv_bytes("code,name,parent", "33,浙江省,3301"))
    assert [(e.row, e.column) for e in error.errors] == [(2, "parent")]


def test_child_of_a_bad_row_is_not_saved(tree):
    error = reject("system", csv_bytes("code,name,kind,parent", "P-1,父,nonsense,330106", "P-2,子,department,P-1"))
    assert [e.row for e in error.errors] == [2]
    assert not Unit.objects.filter(code__in=["P-1", "P-2"]).exists()


def test_malformed_and_wrong_format_files_are_rejected(tree):
    shape = snapshot()
    assert reject("system", b'code,name,parent\nX-1,"open,330106\nX-2,b,330106\n').errors[0].row == 2
    assert ".xls" in reject("system", b"\xd0\xcf\x11\xe0" + b"\x00junk" * 50).errors[0].reason
    missing = reject("system", csv_bytes("code,name", "X-1,甲"))
    assert [(e.row, e.column) for e in missing.errors] == [(1, "parent")]
    assert "上级编码" in missing.summary
    assert snapshot() == shape


# --- scope --------------------------------------------------------------------------------------------------------


def test_organizer_imports_inside_own_county(tree, xh_organizer):
    result = units_import(actor=xh_organizer, source=csv_bytes("编码,名称,上级编码", "330106-A,甲科,330106",
                                                               "330106009-B,乙站,330106009"))
    assert sorted(result.created) == ["330106-A", "330106009-B"]
    entry = AuditEntry.objects.get(object_id="330106-A")
    assert entry.actor_id == xh_organizer.pk


def test_organizer_cannot_add_under_the_neighbour_county(tree, xh_organizer):
    shape, audit_count = snapshot(), AuditEntry.objects.count()
    error = reject(xh_organizer, csv_bytes("code,name,parent", "330106-A,甲科,330106", "330108-A,滨江某科,330108",
                                           "330108-B,其下属,330108-A"))
    assert [(e.row, e.column) for e in error.errors] == [(3, "parent")]
    assert "outside" in error.errors[0].reason
    assert snapshot() == shape
    assert AuditEntry.objects.count() == audit_count


def test_organizer_cannot_rename_a_unit_outside_scope(tree, xh_organizer):
    error = reject(xh_organizer, csv_bytes("code,name,parent", "330108-GA,改名,330108"))
    assert {(e.row, e.column) for e in error.errors} == {(2, "code")}
    assert unit("330108-GA").name == "滨江区公安局"


def test_organizer_cannot_add_a_root(tree, xh_organizer):
    error = reject(xh_organizer, csv_bytes("code,name,parent", "99,新省,"))
    assert [(e.row, e.column) for e in error.errors] == [(2, "parent")]
    assert "root" in error.errors[0].reason


def test_province_organizer_may_import_into_both_counties(tree, zj_organizer):
    result = units_import(actor=zj_organizer, source=csv_bytes("code,name,parent", "330106-A,甲,330106",
                                                               "330108-A,乙,330108"))
    assert sorted(result.created) == ["330106-A", "330108-A"]


def test_handler_cannot_import_at_all(tree, xh_handler):
    shape = snapshot()
    error = reject(xh_handler, csv_bytes("code,name,parent", "330106-A,甲,330106", "330106-GA,改名,330106"))
    assert {(e.row, e.column) for e in error.errors} == {(2, "parent"), (3, "code")}
    assert snapshot() == shape


# --- the command -------------------------------------------------------------------------------------------------


def test_command_imports_a_good_file(tree, tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes("编码,名称,上级编码", "330106-A,甲,330106", "330106-GA,西湖区公安分局,330106",
                               "330108-GA,滨江区公安局,330108", encoding="gbk"))
    call_command("import-units", str(path))
    out = capsys.readouterr().out
    assert "created 1, updated 1, unchanged 1" in out
    assert Unit.objects.get_parent(unit("330106-A")).code == "330106"
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_command_reports_every_bad_row_and_fails(tree, tmp_path, capsys):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(["code", "name", "parent"], ["330106-A", "甲", 330106], ["330106-A", "重复", 330106],
                                ["330106-B", "", 330106], ["330106-C", "丙", 424242]))
    shape = snapshot()
    with pytest.raises(CommandError) as info:
        call_command("import-units", str(path))
    assert NOTHING_IMPORTED.search(str(info.value))
    err = capsys.readouterr().err.splitlines()
    assert err == ["row 3, column code: duplicate code 330106-A (first on row 2)",
                   "row 4, column name: empty name",
                   "row 5, column parent: unknown parent 424242"]
    assert snapshot() == shape


def test_command_acts_as_a_user_with_their_scope(tree, xh_organizer, tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes("code,name,parent", "330108-A,乙,330108"))
    with pytest.raises(CommandError):
        call_command("import-units", str(path), "--as", "xh_organizer")
    assert "row 2, column parent" in capsys.readouterr().err
    assert not Unit.objects.filter(code="330108-A").exists()
    path.write_bytes(csv_bytes("code,name,parent", "330106-A,甲,330106"))
    call_command("import-units", str(path), "--as", "xh_organizer")
    assert AuditEntry.objects.get(object_id="330106-A").actor_label == "xh_organizer"


def test_large_file_in_reverse_order_imports_completely(tree):
    # Children listed before parents, at a size where the old pairwise ordering took ~30 s.
    # Speed itself is measured by benchmarks, not asserted here.
    rows = [f"330106-D{i},部门{i},330106" for i in range(11000)]
    rows += [f"330106-D{i}-K,科{i},330106-D{i}" for i in range(1000)]
    result = units_import(actor="system", source=csv_bytes("code,name,parent", *reversed(rows)))
    assert len(result.created) == 12000
    assert unit("330106").numchild == 11002
    assert unit("330106-D5").numchild == 1 and unit("330106-D5000").numchild == 0
    assert Unit.objects.get_parent(unit("330106-D7-K")).code == "330106-D7"
    assert Unit.objects.values("path").distinct().count() == Unit.objects.count()
    assert AuditEntry.objects.filter(action="units.unit_imported").count() == 12000


def test_organizer_may_relist_and_rename_its_own_top_unit(tree, xh_organizer):
    source = csv_bytes("code,name,parent,kind", "330106,西湖区人民政府,3301,region")
    result = units_import(actor=xh_organizer, source=source)
    assert result.updated == ["330106"]
    assert unit("330106").name == "西湖区人民政府"


def test_no_new_units_under_a_retired_parent(tree):
    from qingdan.core.errors import ApplicationError
    from qingdan.units.services import unit_create, unit_retire

    unit_retire(actor="system", unit=unit("330106009002"))
    with pytest.raises(ImportRejected) as rejected:
        units_import(actor="system", source=csv_bytes("code,name,parent", "330106009002-X,新,330106009002"))
    assert "retired" in rejected.value.report()
    with pytest.raises(ApplicationError) as refused:
        unit_create(actor="system", parent=unit("330106009002"), code="Y", name="新", kind="department")
    assert refused.value.code == "unit_parent_retired"


def test_missing_file_is_a_clear_command_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import-units", str(tmp_path / "nope.csv"))
