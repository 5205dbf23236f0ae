"""import-divisions: idempotent re-import, renames, retirement, reactivation, province filter, a sound tree."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_verify
from qingdan.core.errors import ImportRejected
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.divisions import divisions_import, read_divisions
from qingdan.units.models import Unit

HEADERS = {
    "provinces": "code,name",
    "cities": "code,name,provinceCode",
    "areas": "code,name,cityCode,provinceCode",
    "streets": "code,name,areaCode,provinceCode,cityCode",
    "villages": "code,name,streetCode,provinceCode,cityCode,areaCode",
}

# Two provinces in the national files' layout. Names by code; parents follow from the code.
ZHEJIANG = {
    "33": "浙江省",
    "3301": "杭州市", "3302": "宁波市",
    "330106": "西湖区", "330108": "滨江区", "330203": "海曙区",
    "330106009": "留下街道", "330106010": "转塘街道", "330108001": "西兴街道",
    "330106009001": "留下村", "330106009002": "小和山社区", "330108001001": "西兴社区",
}
BEIJING = {"11": "北京市", "1101": "市辖区", "110101": "东城区", "110101001": "东华门街道",
           "110101001001": "多福巷社区"}
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}


def assert_tree_sound() -> None:
    """Check the treebeard invariants the bulk imports must keep by hand."""
    problems = Unit.objects.find_problems()
    assert all(not found for found in problems), problems
    for unit in Unit.objects.all():
        assert unit.depth == len(unit.path) // Unit.steplen, unit.code
        assert len(unit.path) % Unit.steplen == 0, unit.code
        actual = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).count()
        assert unit.numchild == actual, f"{unit.code}: numchild {unit.numchild}, children {actual}"
    paths = list(Unit.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths))


def assert_parents_by_code() -> None:
    """Every division unit hangs under the unit its code names (its code minus the last level)."""
    for unit in Unit.objects.filter(kind=UnitKind.REGION):
        if len(unit.code) == 2:
            assert unit.is_root(), unit.code
        else:
            assert Unit.objects.get_parent(unit).code == unit.code[: PARENT_LENGTH[len(unit.code)]], unit.code
        assert unit.level == {2: 1, 4: 2, 6: 3, 9: 4, 12: 5}[len(unit.code)]


def write_divisions(directory: Path, names: dict[str, str], *, gz: bool = False, levels: int = 5) -> Path:
    """Write provinces.csv … villages.csv for the given codes, as the national list lays them out."""
    directory.mkdir(parents=True, exist_ok=True)
    for existing in directory.iterdir():
        existing.unlink()
    by_level: dict[str, list[str]] = {stem: [] for stem in HEADERS}
    stems = list(HEADERS)
    for code, name in names.items():
        p, c, a, s = code[:2], code[:4], code[:6], code[:9]
        level = {2: 0, 4: 1, 6: 2, 9: 3, 12: 4}[len(code)]
        fields = [[code, name], [code, name, p], [code, name, c, p], [code, name, a, p, c],
                  [code, name, s, p, c, a]][level]
        by_level[stems[level]].append(",".join(f'"{f}"' if f == name else f for f in fields))
    for stem in stems[:levels]:
        text = "\n".join([HEADERS[stem], *by_level[stem]]) + "\n"
        if gz:
            (directory / f"{stem}.csv.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (directory / f"{stem}.csv").write_text(text, encoding="utf-8")
    return directory


def load(directory: Path, province: str | None = None, depth: int = 5, actor="system"):
    divisions = read_divisions(directory, province=province, depth=depth)
    return divisions_import(actor=actor, divisions=divisions, province=province)


def state() -> dict[str, tuple]:
    return {u.code: (u.name, u.path, u.is_active, u.numchild, u.kind) for u in Unit.objects.all()}


# --- first import and idempotent re-import ---------------------------------------------------------------------


def test_first_import_builds_a_sound_tree(db, tmp_path):
    src = write_divisions(tmp_path / "div", {**ZHEJIANG, **BEIJING})
    result = load(src)
    assert result.read == result.created == len(ZHEJIANG) + len(BEIJING)
    assert result.retired == [] and result.renamed == [] and result.unchanged == 0
    assert set(Unit.objects.values_list("code", flat=True)) == set(ZHEJIANG) | set(BEIJING)
    assert Unit.objects.get(code="3301").numchild == 2
    assert Unit.objects.get_children(Unit.objects.get(code="330106009")).count() == 2
    assert Unit.objects.get(code="330106009001").level == UnitLevel.VILLAGE
    assert_tree_sound()
    assert_parents_by_code()
    entry = AuditEntry.objects.get(action="units.divisions_imported")
    assert entry.after["created"] == result.created
    assert audit_verify().ok


def test_gzipped_files_are_accepted(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG, gz=True)
    assert not list(src.glob("*.csv"))
    result = load(src)
    assert result.created == len(ZHEJIANG)
    assert_tree_sound()
    assert_parents_by_code()


def test_reimport_changes_nothing(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    before = state()
    again = load(src)
    assert again.created == 0 and again.renamed == [] and again.retired == [] and again.reactivated == []
    assert again.unchanged == len(ZHEJIANG)
    assert state() == before
    assert_tree_sound()


def test_import_over_an_existing_tree_matches_codes_and_leaves_departments(tree, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    count_before = Unit.objects.count()
    result = load(src)
    new_codes = {"3302", "330203", "330106010", "330108001001"}
    assert result.created == len(new_codes)
    assert Unit.objects.count() == count_before + len(new_codes)
    assert result.unchanged == len(ZHEJIANG) - len(new_codes)
    for code, unit in tree.items():
        assert Unit.objects.get(code=code).path == unit.path  # existing units keep their place
    assert Unit.objects.get(code="330106-GA").is_active
    # 转塘街道 lands after 留下街道 and the department that already hang under 西湖区.
    xh = Unit.objects.get(code="330106")
    assert xh.numchild == 3
    assert [c.code for c in Unit.objects.get_children(xh)] == ["330106009", "330106-GA", "330106010"]
    assert_tree_sound()
    assert_parents_by_code()


# --- renames, retirement, reactivation ------------------------------------------------------------------------


def test_renamed_unit_is_updated_not_duplicated(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    path = Unit.objects.get(code="330106").path
    write_divisions(src, {**ZHEJIANG, "330106": "西湖新区", "330106009001": "留下社区"})
    result = load(src)
    assert sorted(result.renamed) == [("330106", "西湖区", "西湖新区"), ("330106009001", "留下村", "留下社区")]
    assert result.created == 0 and result.retired == []
    assert Unit.objects.filter(code="330106").count() == 1
    renamed = Unit.objects.get(code="330106")
    assert (renamed.name, renamed.path) == ("西湖新区", path)
    assert not Unit.objects.filter(name="西湖区").exists()
    assert Unit.objects.count() == len(ZHEJIANG)
    entry = AuditEntry.objects.filter(action="units.divisions_imported").order_by("-seq").first()
    assert entry.after["renamed"] == 2 and "330106" in entry.after["renamed_codes"]


def test_vanished_unit_is_retired_with_its_history_kept(tree, tmp_path, bj_handler):
    from qingdan.people.models import RoleAssignment

    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    without_binjiang = {c: n for c, n in ZHEJIANG.items() if not c.startswith("330108")}
    write_divisions(src, without_binjiang)
    count = Unit.objects.count()
    result = load(src)
    assert result.retired == ["330108", "330108001", "330108001001"]
    assert Unit.objects.count() == count  # never deleted
    for code in result.retired:
        gone = Unit.objects.get(code=code)
        assert gone.is_active is False
        assert gone.retired_at is not None
    # The department under it and the role held over it stay.
    assert Unit.objects.get(code="330108-GA").is_active
    assert RoleAssignment.objects.filter(user=bj_handler, unit__code="330108").exists()
    assert Unit.objects.get(code="330106").is_active
    assert_tree_sound()

    # Re-importing the same list retires nothing more and changes nothing.
    before = state()
    again = load(src)
    assert again.retired == [] and again.reactivated == []
    assert state() == before


def test_unit_that_comes_back_is_reactivated(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    path = Unit.objects.get(code="330108").path
    write_divisions(src, {c: n for c, n in ZHEJIANG.items() if not c.startswith("330108")})
    load(src)
    write_divisions(src, {**ZHEJIANG, "330108": "滨江新区"})
    result = load(src)
    assert sorted(result.reactivated) == ["330108", "330108001", "330108001001"]
    assert result.renamed == [("330108", "滨江区", "滨江新区")]
    assert result.created == 0
    back = Unit.objects.get(code="330108")
    assert (back.is_active, back.retired_at, back.path, back.name) == (True, None, path, "滨江新区")
    assert Unit.objects.filter(code="330108").count() == 1
    assert_tree_sound()


def test_new_division_under_an_existing_parent(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    write_divisions(src, {**ZHEJIANG, "330109": "萧山区", "330109001": "城厢街道", "330106009003": "新社区"})
    result = load(src)
    assert result.created == 3
    assert Unit.objects.get(code="3301").numchild == 3
    assert Unit.objects.get(code="330106009").numchild == 3
    assert Unit.objects.get(code="330109").numchild == 1
    assert_tree_sound()
    assert_parents_by_code()


# --- province filter and depth -------------------------------------------------------------------------------------


def test_province_filter_reads_only_that_province(db, tmp_path):
    src = write_divisions(tmp_path / "div", {**ZHEJIANG, **BEIJING})
    result = load(src, province="11")
    assert result.created == len(BEIJING)
    assert set(Unit.objects.values_list("code", flat=True)) == set(BEIJING)
    assert_tree_sound()


def test_other_province_is_never_retired(db, tmp_path):
    src = write_divisions(tmp_path / "div", {**ZHEJIANG, **BEIJING})
    load(src, province="33")
    load(src, province="11")
    # Zhejiang loses 海曙区; re-importing Zhejiang must not touch Beijing.
    write_divisions(src, {**{c: n for c, n in ZHEJIANG.items() if c != "330203"}, **BEIJING})
    result = load(src, province="33")
    assert result.retired == ["330203"]
    assert Unit.objects.filter(code__startswith="11", is_active=True).count() == len(BEIJING)
    assert not Unit.objects.filter(is_active=False).exclude(code="330203").exists()
    assert_tree_sound()
    assert_parents_by_code()


def test_unknown_province_is_rejected(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    with pytest.raises(ImportRejected) as info:
        read_divisions(src, province="44")
    assert "44" in info.value.errors[0].reason


def test_shallow_reimport_does_not_retire_deeper_levels(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    result = load(src, depth=3)
    assert result.read == 6
    assert result.retired == []
    assert not Unit.objects.filter(is_active=False).exists()


def test_missing_lower_level_files_do_not_retire_those_levels(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    write_divisions(src, ZHEJIANG, levels=3)  # only provinces, cities, areas
    result = load(src)
    assert result.retired == []
    assert not Unit.objects.filter(is_active=False).exists()


def test_depth_limits_the_first_import(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    result = load(src, depth=2)
    assert result.created == 3
    assert set(Unit.objects.values_list("level", flat=True)) == {1, 2}
    assert_tree_sound()


def test_province_placed_under_a_national_root_keeps_depths_right(db, tmp_path):
    china = Unit.objects.add_root({"code": "CN", "name": "全国", "kind": UnitKind.ORGANIZATION, "level": 1})
    Unit.objects.add_child(china, {"code": "33", "name": "浙江省", "kind": UnitKind.REGION, "level": 1})
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src, province="33")
    assert Unit.objects.get_parent(Unit.objects.get(code="3301")).code == "33"
    assert_tree_sound()


# --- bad files ---------------------------------------------------------------------------------------------------


def test_bad_rows_are_all_reported_with_their_lines(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    (src / "cities.csv").write_text("code,name,provinceCode\n3301,杭州市,33\n\n330,短码,33\n3302,,33\n"
                                    "3301,重复,33\n3399,孤儿,44\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        read_divisions(src)
    found = [(e.row, e.column) for e in info.value.errors]
    # Line numbers are the file's own lines, blank line included.
    assert found[:4] == [(4, "code"), (5, "name"), (6, "code"), (7, "provinceCode")]
    reasons = [e.reason for e in info.value.errors]
    assert reasons[0].startswith("cities.csv:")
    assert "duplicate" in reasons[2] and "44" in reasons[3]
    assert "nothing was imported" in info.value.summary


def test_missing_column_and_missing_files(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    (src / "areas.csv").write_text("code,name,provinceCode\n330106,西湖区,33\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        read_divisions(src)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "cityCode")]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ImportRejected) as info:
        read_divisions(empty)
    assert "provinces.csv" in info.value.errors[0].reason


def test_unreadable_division_file_is_rejected_not_crashing(db, tmp_path):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    (src / "areas.csv").write_bytes("code,name,cityCode,provinceCode\n330106,西湖区,3301,33\n".encode("gbk"))
    with pytest.raises(ImportRejected) as info:
        read_divisions(src)
    assert "areas.csv" in info.value.errors[0].reason
    (src / "areas.csv").unlink()
    (src / "areas.csv.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ImportRejected) as info:
        read_divisions(src)
    assert "areas.csv.gz" in info.value.errors[0].reason


def test_division_code_taken_by_a_non_region_unit_is_rejected(db, tmp_path):
    province = Unit.objects.add_root({"code": "33", "name": "浙江省", "kind": UnitKind.REGION, "level": 1})
    Unit.objects.add_child(province, {"code": "3301", "name": "某部门", "kind": UnitKind.DEPARTMENT, "level": 2})
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    before = state()
    with pytest.raises(ImportRejected) as info:
        load(src)
    assert [(e.row, e.column) for e in info.value.errors] == [(2, "code")]
    assert "3301" in info.value.errors[0].reason
    assert state() == before


# --- the command --------------------------------------------------------------------------------------------------


def test_command_imports_and_reimports(db, tmp_path, capsys):
    src = write_divisions(tmp_path / "div", {**ZHEJIANG, **BEIJING})
    call_command("import-divisions", "--province", "33", "--source", str(src))
    out = capsys.readouterr().out
    assert f"read {len(ZHEJIANG)} divisions" in out and f"created {len(ZHEJIANG)}" in out
    write_divisions(src, {**ZHEJIANG, "330106": "西湖新区", **BEIJING})
    call_command("import-divisions", "--province", "33", "--source", str(src))
    out = capsys.readouterr().out
    assert "created 0, renamed 1, retired 0, reactivated 0" in out
    assert "renamed 330106: 西湖区 → 西湖新区" in out
    call_command("import-divisions", "--all", "--source", str(src), "--depth", "3")
    assert "created 3" in capsys.readouterr().out  # 北京市, 市辖区, 东城区
    call_command("audit", "verify")
    assert_tree_sound()


def test_command_reports_bad_rows_and_fails(db, tmp_path, capsys):
    src = write_divisions(tmp_path / "div", ZHEJIANG)
    (src / "areas.csv").write_text("code,name,cityCode,provinceCode\n330106,西湖区,3301,33\n33010,错,3301,33\n"
                                   "330199,,3301,33\n330108,滨江区,3301,33\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import-divisions", "--province", "33", "--source", str(src))
    assert "nothing was imported" in str(info.value)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert err[0].startswith("row 3, column code: areas.csv")
    assert err[1].startswith("row 4, column name: areas.csv")
    assert not Unit.objects.exists()
    assert not AuditEntry.objects.exists()


def test_command_refuses_a_bad_province_code(db, tmp_path):
    with pytest.raises(CommandError, match="two-digit"):
        call_command("import-divisions", "--province", "330", "--source", str(tmp_path))


def test_failed_import_leaves_nothing_behind(db, tmp_path, monkeypatch):
    import qingdan.units.divisions as divisions

    src = write_divisions(tmp_path / "div", ZHEJIANG)
    load(src)
    write_divisions(src, {**{c: n for c, n in ZHEJIANG.items() if c != "330203"}, "330106": "西湖新区",
                          "330109": "萧山区"})
    before = state()

    def broken(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(divisions, "audit_record", broken)
    with pytest.raises(RuntimeError):
        load(src)
    assert state() == before  # no rename, no new unit, no retirement
