"""Importing submissions: real files as they are, encodings and headers, bad rows reported, re-import idempotent."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_verify
from qingdan.core.errors import ImportRejected
from qingdan.intake.importers import parse_file_time, submissions_import
from qingdan.intake.models import Submission, SubmissionEvent
from qingdan.units.choices import Role
from tests.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).resolve().parents[3] / "shared" / "data" / "messages"
needs_data = pytest.mark.skipif(not MESSAGES.is_dir(), reason="../shared/data/messages is not here")

HEADER_ZH = "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数"


def test_chinese_headers_gbk_and_multiline_text(tree):
    data = csv_bytes(HEADER_ZH, '1,U1,路灯坏了,2019-12-04 16:25:06,"路灯坏了\n\t很久没人修",0,3',
                     "2,U2,噪音,2019/9/5 8:01,饭店噪音扰民,1,0", encoding="gbk")
    result = submissions_import(actor="system", source=data, name="board", unit=tree["330106"])
    assert (result.created, result.rejected, result.encoding) == (2, [], "gb18030")
    first = Submission.objects.get(external_id="1")
    assert first.text == "路灯坏了\n\t很久没人修"
    assert (first.channel, first.anonymous, first.submitter_ref, first.likes, first.source) == (
        "import", True, "U1", 3, "board")
    assert first.created_at == datetime.datetime(2019, 12, 4, 8, 25, 6, tzinfo=datetime.UTC)  # Beijing 16:25
    assert Submission.objects.get(external_id="2").created_at.hour == 0  # 08:01 Beijing
    assert list(first.events.values_list("kind", flat=True)) == ["received"]


def test_english_headers_in_xlsx_with_reply_category_and_channel(tree):
    data = xlsx_bytes(["id", "user", "title", "text", "created_at", "category", "reply", "replied_at", "channel"],
                      ["A7", "U9", "道路", "道路坑洼", datetime.datetime(2020, 1, 2, 9, 0), "交通运输", "已修复",
                       datetime.datetime(2020, 1, 5, 10, 0), "热线"])
    result = submissions_import(actor="system", source=data, name="xlsx", unit=tree["330106"])
    assert result.created == 1, result.rejected
    submission = Submission.objects.get()
    assert (submission.status, submission.reply, submission.category, submission.channel) == (
        "replied", "已修复", "交通运输", "hotline")
    assert submission.replied_at == datetime.datetime(2020, 1, 5, 2, 0, tzinfo=datetime.UTC)
    assert list(submission.events.values_list("kind", flat=True)) == ["received", "replied"]


def test_bad_rows_are_reported_and_good_rows_imported(tree):
    data = csv_bytes(
        "id,user,title,text,created_at,likes,channel",
        "1,U1,好的,路灯坏了,2019-12-04 16:25:06,0,",
        "2,U2,,,2019-12-04 16:25:06,0,",
        "3,U3,表情,😀😀😀,2019-12-04 16:25:06,0,",
        "4,U4,时间,路灯坏了,昨天下午,0,",
        "5,U5,点赞,路灯坏了,2019-12-04 16:25:06,很多,",
        "1,U6,重复,路灯又坏了,2019-12-04 16:25:06,0,",
        "7,U7,渠道,路灯坏了,2019-12-04 16:25:06,0,传真",
        "8,U8,将来,路灯坏了,2999-01-01 00:00:00,0,",
        f"9,U9,长,{'字' * 20_001},2019-12-04 16:25:06,0,",
    )
    result = submissions_import(actor="system", source=data, name="mixed", unit=tree["330106"])
    assert result.created == 1
    assert [(e.row, e.column) for e in result.rejected] == [
        (3, "text"), (4, "text"), (5, "created_at"), (6, "likes"), (7, "id"), (8, "channel"), (9, "created_at"),
        (10, "text")]
    assert all(e.reason for e in result.rejected)
    assert list(Submission.objects.values_list("external_id", flat=True)) == ["1"]


def test_reimport_creates_nothing_new_and_audits_one_entry_per_batch(tree):
    lines = [HEADER_ZH] + [f"{i},U{i},主题{i},2019-12-04 16:25:06,第{i}条留言,0,0" for i in range(25)]
    data = csv_bytes(*lines)
    first = submissions_import(actor="system", source=data, name="board", unit=tree["330106"], batch_size=10)
    again = submissions_import(actor="system", source=data, name="board", unit=tree["330106"], batch_size=10)
    assert (first.created, first.existing, again.created, again.existing) == (25, 0, 0, 25)
    assert Submission.objects.count() == 25 and SubmissionEvent.objects.count() == 25
    entries = AuditEntry.objects.filter(action="intake.submissions_imported")
    assert entries.count() == 3  # batches of 10, 10 and 5
    assert sum(e.after["rows"] for e in entries) == 25
    assert {c for e in entries for c in e.after["codes"]} == set(Submission.objects.values_list("tracking_code",
                                                                                               flat=True))
    assert all(e.unit_path == tree["330106"].path for e in entries)
    other = submissions_import(actor="system", source=data, name="another-board", unit=tree["330106"])
    assert other.created == 25  # a different source is a different set of cases
    assert audit_verify().ok


def test_files_without_ids_are_known_by_content(tree):
    data = csv_bytes("留言详情,一级标签", "路灯坏了,城乡建设", "路灯坏了,城乡建设", "噪音扰民,环境保护")
    first = submissions_import(actor="system", source=data, name="details", unit=tree["330106"])
    assert (first.created, [(e.row, e.column) for e in first.rejected]) == (2, [(3, "id")])
    assert submissions_import(actor="system", source=data, name="details", unit=tree["330106"]).created == 0


def test_place_codes_choose_the_unit_below_the_given_one(tree):
    data = csv_bytes("id,text,created_at,place", "1,路灯坏了,2019-12-04,330106009",
                     "2,路灯坏了,2019-12-04,滨江区某小区", "3,路灯坏了,2019-12-04,330108001")
    result = submissions_import(actor="system", source=data, name="places", unit=tree["330106"])
    assert result.created == 3
    units = dict(Submission.objects.values_list("external_id", "unit__code"))
    assert units == {"1": "330106009", "2": "330106", "3": "330106"}  # 3 lies outside --unit: held by it
    assert Submission.objects.get(external_id="3").place_unit.code == "330108001"
    assert Submission.objects.get(external_id="2").place_text == "滨江区某小区"


def test_control_characters_in_any_column_never_reach_the_database(tree):
    # A NUL byte after the first 64 KB gets past the reader's check for binary files.
    data = csv_bytes("id,user,text,place,category", f"0,U,{'路' * 25_000},,",
                     "1\x00,U\x00,路灯\x00坏了,330106009\x00,城乡\x00建设")
    result = submissions_import(actor="system", source=data, name="nul", unit=tree["330106"])
    assert result.created == 1 and [e.row for e in result.rejected] == [2]
    stored = Submission.objects.get()
    assert (stored.external_id, stored.submitter_ref, stored.text, stored.unit.code, stored.category) == (
        "1", "U", "路灯坏了", "330106009", "城乡建设")


def test_without_unit_every_place_must_be_a_unit(tree):
    data = csv_bytes("id,text,place", "1,路灯坏了,330106009", "2,路灯坏了,某地")
    result = submissions_import(actor="system", source=data, name="p")
    assert result.created == 1 and [(e.row, e.column) for e in result.rejected] == [(3, "place")]
    with pytest.raises(ImportRejected):
        submissions_import(actor="system", source=csv_bytes("id,text", "1,路灯坏了"), name="p")


def test_a_file_without_a_message_column_is_rejected_whole(tree):
    with pytest.raises(ImportRejected) as error:
        submissions_import(actor="system", source=csv_bytes("一级分类,二级分类", "城乡建设,住房"), name="t",
                           unit=tree["330106"])
    assert error.value.errors[0].column == "text"


def test_staff_import_only_inside_their_scope(tree, make_staff, xh_handler):
    data = csv_bytes("id,text", "1,路灯坏了")
    operator = make_staff("bj_operator", Role.OPERATOR, tree["330108"])
    with pytest.raises(ImportRejected):
        submissions_import(actor=operator, source=data, name="s", unit=tree["330106"])
    with pytest.raises(ImportRejected):  # a handler answers cases; importing them is an operator's job
        submissions_import(actor=xh_handler, source=data, name="s", unit=tree["330106"])
    assert submissions_import(actor=operator, source=data, name="s", unit=tree["330108"]).created == 1


def test_a_report_that_names_no_unit_is_a_bad_row(tree):
    # Without a place the only unit at hand is --unit, the one importing: a report is never about its reader.
    data = csv_bytes("id,text,kind", "1,局长收受红包,举报", "2,路灯坏了,投诉")
    result = submissions_import(actor="system", source=data, name="r", unit=tree["330106"])
    assert [(e.row, e.column) for e in result.rejected] == [(2, "place")]
    assert re.search("举报须写明被举报的单位|A report must name the unit", result.rejected[0].reason)
    assert list(Submission.objects.values_list("external_id", "kind")) == [("2", "complaint")]


def test_reports_leave_no_trace_under_a_units_path(tree):
    data = csv_bytes("id,text,kind,place", "1,局长收受红包,举报,330106-GA", "2,路灯坏了,投诉,")
    submissions_import(actor="system", source=data, name="r", unit=tree["330106"])
    report = Submission.objects.get(external_id="1")
    assert (report.kind, report.accused_unit.code, report.unit.code) == ("report", "330106-GA", "330106")
    entries = {e.after["reports"]: e for e in AuditEntry.objects.filter(action="intake.submissions_imported")}
    assert entries[True].unit_path == "" and entries[True].after["codes"] == [report.tracking_code]
    assert entries[False].unit_path == tree["330106"].path
    # A report naming a unit below --unit is about that unit, and so is never held by it.
    named = csv_bytes("id,text,kind,place", "9,所长收受红包,举报,330106-GA")
    submissions_import(actor="system", source=named, name="r2", unit=tree["330106"])
    held = Submission.objects.get(source="r2")
    assert (held.unit.code, held.accused_unit.code, held.place_unit.code) == ("330106", "330106-GA", "330106-GA")


def test_file_times():
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    assert parse_file_time("2019-12-04 16:25:06") == datetime.datetime(2019, 12, 4, 16, 25, 6, tzinfo=beijing)
    assert parse_file_time("2019/12/4 6:05") == datetime.datetime(2019, 12, 4, 6, 5, tzinfo=beijing)
    assert parse_file_time("2019年12月4日") == datetime.datetime(2019, 12, 4, tzinfo=beijing)
    assert parse_file_time("2019-12-04T16:25:06+00:00") == datetime.datetime(2019, 12, 5, 0, 25, 6, tzinfo=beijing)
    assert parse_file_time("2019-12-04T16:25:06-17:24").utcoffset() == datetime.timedelta(hours=8)
    with pytest.raises(ValueError):
        parse_file_time("0001-01-01T00:00:00+10:00")
    with pytest.raises(ValueError):
        parse_file_time("2019-13-45")


def test_command_prints_summary_and_each_rejected_row(tree, tmp_path, capsys):
    path = tmp_path / "hotline.csv"
    path.write_bytes(csv_bytes("id,text", "1,路灯坏了", "2,"))
    call_command("import-submissions", str(path), "--unit", "330106")
    out, err = capsys.readouterr()
    assert "hotline: 2 rows read" in out and "1 created" in out and "1 rejected" in out
    assert "row 3, column text" in err
    assert Submission.objects.get().source == "hotline"


# --- the real files -------------------------------------------------------------------------

@needs_data
@pytest.mark.parametrize("name", ["hot_issue_messages.csv", "messages_with_replies.csv", "labeled_full_rows.csv",
                                  "labeled_details_only.csv", "labeled_titles_only.csv"])
def test_real_message_files_import_as_they_are(tree, name):
    path = MESSAGES / name
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    result = submissions_import(actor="system", source=path, unit=tree["330106"])
    assert result.rows == len(records)
    # Files without ids repeat some messages word for word: those repeats, and nothing else, are refused.
    assert all(e.column == "id" and "same content" in e.reason for e in result.rejected), result.rejected[:5]
    if "留言编号" in records[0]:
        assert result.rejected == [] and result.created == len(records)
    assert Submission.objects.filter(source=path.stem).count() == result.created
    again = submissions_import(actor="system", source=path, unit=tree["330106"])
    assert (again.created, again.existing) == (0, result.created)
    if name == "messages_with_replies.csv":
        sample = records[0]
        stored = Submission.objects.get(source=path.stem, external_id=sample["留言编号"])
        assert stored.status == "replied" and stored.reply and stored.replied_at >= stored.created_at
        assert stored.subject == sample["留言主题"].strip()
        assert stored.submitter_ref == sample["留言用户"]
