"""people_import and ``qingdan import-people``: accounts and roles, all or nothing, inside the importer's scope."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_verify
from qingdan.core.errors import ImportRejected
from qingdan.people.importers import people_import
from qingdan.people.models import RoleAssignment, User
from qingdan.units.choices import Role
from tests.files import csv_bytes, xlsx_bytes

# The summary in the active language (commands and services may run in either).
NOTHING_IMPORTED = re.compile("未导入任何内容|nothing was imported")


def reject(actor, data: bytes) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        people_import(actor=actor, source=data)
    return info.value


def roles_of(username: str) -> set[tuple[str, str]]:
    return set(RoleAssignment.objects.filter(user__username=username).values_list("role", "unit__code"))


def people_state() -> tuple:
    return (sorted(User.objects.values_list("username", "home_unit__code", "is_staff")),
            sorted(RoleAssignment.objects.values_list("user__username", "role", "unit__code")),
            AuditEntry.objects.count())


CHINESE_FILE = (
    "用户名,姓名,单位编码,角色,管辖单位编码,手机,邮箱",
    "wang.fang,王芳,330106,承办人,,13800000001,wang@example.cn",
    "wang.fang,王芳,330106,督查,330106009,,",
    "li.qiang,李强,330106009,经办人,,,",
    "zhao.min,赵敏,33,组织者,33,,",
    "chen.jie,陈杰,3301,管理员,3301,,",
)


# --- good files -------------------------------------------------------------------------------------------------


def test_system_imports_people_with_several_roles_each(tree):
    audit_before = AuditEntry.objects.count()
    result = people_import(actor="system", source=csv_bytes(*CHINESE_FILE))

    assert sorted(result.created) == ["chen.jie", "li.qiang", "wang.fang", "zhao.min"]
    assert result.roles_granted == 5 and result.unchanged_roles == 0
    wang = User.objects.get(username="wang.fang")
    assert (wang.display_name, wang.home_unit.code, wang.phone, wang.email) == (
        "王芳", "330106", "13800000001", "wang@example.cn")
    assert roles_of("wang.fang") == {(Role.HANDLER, "330106"), (Role.SUPERVISOR, "330106009")}
    assert roles_of("li.qiang") == {(Role.HANDLER, "330106009")}
    assert roles_of("zhao.min") == {(Role.ORGANIZER, "33")}
    assert roles_of("chen.jie") == {(Role.ADMIN, "3301")}
    # Organizers and administrators open the admin site; the others do not.
    staff = dict(User.objects.filter(username__in=result.created).values_list("username", "is_staff"))
    assert staff == {"wang.fang": False, "li.qiang": False, "zhao.min": True, "chen.jie": True}
    # Nobody can log in before a password is set.
    for user in User.objects.filter(username__in=result.created):
        assert not user.has_usable_password()
        assert not user.is_superuser
    # Audited: one entry per account and per role, and the chain verifies.
    assert AuditEntry.objects.filter(action="people.user_created").count() == 4
    assert AuditEntry.objects.filter(action="people.role_granted",
                                     after__user__in=result.created).count() == 5
    assert AuditEntry.objects.count() - audit_before == 9
    assert audit_verify().ok


def test_reimport_creates_nothing_new(tree):
    people_import(actor="system", source=csv_bytes(*CHINESE_FILE))
    before = people_state()
    again = people_import(actor="system", source=csv_bytes(*CHINESE_FILE))
    assert again.created == [] and again.roles_granted == 0 and again.unchanged_roles == 5
    assert people_state() == before


def test_reimport_with_a_new_role_adds_only_that_role(tree):
    people_import(actor="system", source=csv_bytes(*CHINESE_FILE))
    users = User.objects.count()
    result = people_import(actor="system", source=csv_bytes("username,unit,role,scope", "li.qiang,330106009,leader,",
                                                            "li.qiang,330106009,handler,"))
    assert result.created == [] and result.roles_granted == 1 and result.unchanged_roles == 1
    assert User.objects.count() == users
    assert roles_of("li.qiang") == {(Role.HANDLER, "330106009"), (Role.LEADER, "330106009")}


def test_existing_username_in_another_case_is_the_same_person(tree):
    people_import(actor="system", source=csv_bytes("username,unit,role", "Wang.Fang,330106,handler"))
    result = people_import(actor="system", source=csv_bytes("username,unit,role", "wang.fang,330106,leader"))
    assert result.created == []
    assert User.objects.filter(username__iexact="wang.fang").count() == 1
    assert roles_of("Wang.Fang") == {(Role.HANDLER, "330106"), (Role.LEADER, "330106")}


def test_english_codes_gbk_and_xlsx(tree):
    gbk = csv_bytes("账号,名字,所属单位,角色", "sun.li,孙丽,330108,handler", "sun.li,孙丽,330108,LEADER",
                    encoding="gbk")
    result = people_import(actor="system", source=gbk)
    assert result.created == ["sun.li"]
    assert User.objects.get(username="sun.li").display_name == "孙丽"
    assert roles_of("sun.li") == {(Role.HANDLER, "330108"), (Role.LEADER, "330108")}

    workbook = xlsx_bytes(["username", "name", "unit_code", "role", "scope_unit", "phone"],
                          ["zhou.yu", "周瑜", 330108001, "操作员", None, 13900000000],
                          ["zhou.yu", "周瑜", 330108001, "督查员", 330108, None])
    result = people_import(actor="system", source=workbook)
    assert result.created == ["zhou.yu"]
    zhou = User.objects.get(username="zhou.yu")
    assert (zhou.home_unit.code, zhou.phone) == ("330108001", "13900000000")
    assert roles_of("zhou.yu") == {(Role.OPERATOR, "330108001"), (Role.SUPERVISOR, "330108")}


def test_good_file_is_applied_in_one_transaction(tree, monkeypatch):
    # The third account fails while being written: the first two must not remain.
    import qingdan.people.importers as importers

    real = importers.user_create

    def failing(**kwargs):
        if kwargs["username"] == "c.third":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(importers, "user_create", failing)
    before = people_state()
    with pytest.raises(RuntimeError):
        people_import(actor="system", source=csv_bytes("username,unit,role", "a.first,330106,handler",
                                                       "b.second,330106,handler", "c.third,330106,handler"))
    assert people_state() == before


# --- bad files ------------------------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_saved(tree):
    before = people_state()
    data = csv_bytes(
        "username,name,unit,role,scope,phone,email",
        "good.one,好人,330106,handler,,,good@example.cn",     # 2: fine but must not be saved
        "bad.mail,坏邮箱,330106,handler,,,not-an-email",        # 3
        "no.unit,无单位,999999,handler,,,",                      # 4
        "no.role,无角色,330106,emperor,,,",                      # 5
        "good.one,好人,330108,handler,,,",                       # 6: placed in a second unit
        "bad name,空格,330106,handler,,,",                       # 7
        ",无账号,330106,handler,,,",                             # 8
        "empty.unit,空单位,,handler,,,",                         # 9
        "bad.scope,坏范围,330106,handler,424242,,",              # 10
    )
    error = reject("system", data)
    found = {(e.row, e.column) for e in error.errors}
    assert found == {(3, "email"), (4, "unit"), (5, "role"), (6, "unit"), (7, "username"), (8, "username"),
                     (9, "unit"), (10, "scope")}
    by_cell = {(e.row, e.column): e.reason for e in error.errors}
    assert "999999" in by_cell[(4, "unit")]
    assert "emperor" in by_cell[(5, "role")]
    assert "330106" in by_cell[(6, "unit")] and "row 2" in by_cell[(6, "unit")]
    assert "424242" in by_cell[(10, "scope")]
    assert NOTHING_IMPORTED.search(error.summary)
    assert people_state() == before


def test_person_existing_in_another_unit_is_a_row_error(tree, bj_handler):
    before = people_state()
    error = reject("system", csv_bytes("username,unit,role", "new.one,330106,handler", "bj_handler,330106,leader"))
    assert [(e.row, e.column) for e in error.errors] == [(3, "unit")]
    assert "another unit" in error.errors[0].reason
    assert people_state() == before


def test_overlong_fields_are_row_errors_not_database_errors(tree):
    before = people_state()
    long_mail = "a" * 250 + "@example.cn"
    error = reject("system", csv_bytes("username,name,unit,role,phone,email",
                                       f"long.name,{'名' * 81},330106,handler,,",
                                       f"long.mail,邮箱,330106,handler,,{long_mail}",
                                       f"u{'x' * 150},太长,330106,handler,,"))
    assert {(e.row, e.column) for e in error.errors} == {(2, "name"), (3, "email"), (4, "username")}
    assert people_state() == before


def test_malformed_and_wrong_format_files(tree):
    before = people_state()
    assert reject("system", b'username,unit,role\na,330106,"handler\n').errors[0].row == 2
    assert ".xls" in reject("system", b"\xd0\xcf\x11\xe0" + b"\x00" * 64).errors[0].reason
    missing = reject("system", csv_bytes("用户名,单位编码", "a,330106"))
    assert [(e.row, e.column) for e in missing.errors] == [(1, "role")]
    assert "角色" in missing.summary
    assert people_state() == before


# --- scope --------------------------------------------------------------------------------------------------------


def test_organizer_imports_inside_own_county(tree, xh_organizer):
    result = people_import(actor=xh_organizer, source=csv_bytes("用户名,单位编码,角色,管辖单位编码",
                                                                "xh.new,330106009,承办人,",
                                                                "xh.new,330106009,责任领导,330106009001"))
    assert result.created == ["xh.new"] and result.roles_granted == 2
    entry = AuditEntry.objects.get(action="people.user_created", object_id=str(User.objects.get(username="xh.new").pk))
    assert entry.actor_id == xh_organizer.pk


def test_organizer_cannot_place_a_person_in_the_neighbour_county(tree, xh_organizer):
    before = people_state()
    error = reject(xh_organizer, csv_bytes("username,unit,role,scope", "xh.ok,330106,handler,",
                                           "bj.new,330108,handler,", "xh.wide,330106,supervisor,3301"))
    assert [(e.row, e.column) for e in error.errors] == [(3, "unit"), (4, "scope")]
    assert all("outside" in e.reason for e in error.errors)
    assert people_state() == before


def test_organizer_cannot_take_over_someone_outside_scope(tree, xh_organizer, bj_handler):
    error = reject(xh_organizer, csv_bytes("username,unit,role", "bj_handler,330106,handler"))
    assert {e.column for e in error.errors} == {"unit", "username"}
    assert roles_of("bj_handler") == {(Role.HANDLER, "330108")}


def test_organizer_cannot_make_an_administrator(tree, xh_organizer):
    before = people_state()
    error = reject(xh_organizer, csv_bytes("username,unit,role", "xh.ok,330106,handler", "xh.boss,330106,管理员"))
    assert [(e.row, e.column) for e in error.errors] == [(3, "role")]
    assert "administrator" in error.errors[0].reason
    assert people_state() == before


def test_organizer_may_make_another_organizer_in_scope(tree, xh_organizer):
    people_import(actor=xh_organizer, source=csv_bytes("username,unit,role", "xh.org,330106009,组织者"))
    assert User.objects.get(username="xh.org").is_staff


def test_handler_cannot_import_at_all(tree, xh_handler):
    before = people_state()
    error = reject(xh_handler, csv_bytes("username,unit,role", "x.one,330106,handler", "x.two,330106009,operator"))
    assert [(e.row, e.column) for e in error.errors] == [(2, "unit"), (3, "unit")]
    assert people_state() == before


# --- the command --------------------------------------------------------------------------------------------------


def test_command_imports_a_good_file(tree, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(*CHINESE_FILE, encoding="gbk"))
    call_command("import-people", str(path))
    assert "created 4 accounts, granted 5 roles (0 already held)" in capsys.readouterr().out
    call_command("import-people", str(path))
    assert "created 0 accounts, granted 0 roles (5 already held)" in capsys.readouterr().out
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_command_reports_every_bad_row_and_fails(tree, tmp_path, capsys):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes(["用户名", "单位编码", "角色", "邮箱"], ["a.one", 330106, "承办人", "a@b"],
                                ["a.two", 999, "承办人", None], ["a.three", 330106, "皇帝", None]))
    before = people_state()
    with pytest.raises(CommandError) as info:
        call_command("import-people", str(path))
    assert re.search(r"\b3 (处问题|problems)", str(info.value))  # every problem counted
    assert capsys.readouterr().err.splitlines() == ["row 2, column email: not an e-mail address",
                                                    "row 3, column unit: unknown unit 999",
                                                    "row 4, column role: unknown role '皇帝'"]
    assert people_state() == before


def test_command_as_a_user_applies_their_scope(tree, xh_organizer, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes("username,unit,role", "bj.new,330108,handler"))
    with pytest.raises(CommandError):
        call_command("import-people", str(path), "--as", "xh_organizer")
    assert "row 2, column unit: unit 330108 is outside the units you manage" in capsys.readouterr().err
    assert not User.objects.filter(username="bj.new").exists()
