"""Every CSV and XLSX the product hands out shows a typed formula as text and never runs it.

The attacker types ``=HYPERLINK("http://x/","y")`` wherever the product takes text: a citizen's
message (the hot issue's title), an item's title and commitment, a list's name, a unit's name,
a ledger's entries, a questionnaire's question and answer. Staff then download every export; no
cell may be a formula, none may start with '=' (a spreadsheet would run it on opening).
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://x/","y")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def planted(tree, make_staff, docket, hz_supervisor, hz_operator, xh_organizer,
            django_capture_on_commit_callbacks):
    """The payload in every kind of typed text an export carries."""
    from qingdan.dockets.services import docket_create, item_create, item_dispatch, items_grade
    from qingdan.intake.services import submission_create
    from qingdan.ledgers import services as ledgers
    from qingdan.surveys import services as surveys
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.services import unit_create

    today = timezone.localdate()
    unit = unit_create(actor=xh_organizer, parent=tree["330106"], code="330106010", name=PAYLOAD,
                       kind=UnitKind.REGION, level=UnitLevel.TOWNSHIP)  # a street: ranked on 西湖区's board
    hostile = docket_create(actor=hz_supervisor, name=PAYLOAD, owner_unit=tree["3301"], source="public",
                            fallback_after_returns=2, fallback_after_hours=48)
    late = item_create(actor=hz_operator, docket=hostile, title=PAYLOAD, lead_unit=unit, commitment=PAYLOAD,
                       deadline=today + datetime.timedelta(days=2))
    item_dispatch(actor=hz_operator, item=late)
    items_grade(on=today + datetime.timedelta(days=30))  # overdue: it reaches the weekly report's list
    with django_capture_on_commit_callbacks(execute=True):  # triage groups it into a hot issue on commit
        submission_create(actor=None, channel="web", kind="complaint", subject=PAYLOAD,
                          text="留下街道某饭店油烟直排，噪音很大，影响居民休息。", unit=tree["330106009"],
                          name="", phone="", anonymous=True)

    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    street = tree["330106009"]
    ledgers.visit_record(actor=leader, unit=street, visited_on=today, enterprise=PAYLOAD, heard=PAYLOAD)
    ledgers.session_record(actor=leader, unit=street, kind="group_study", topic=PAYLOAD, starts_on=today,
                           place=PAYLOAD, materials=PAYLOAD)
    ledgers.liaison_assign(actor=xh_organizer, leader=leader, unit=street, starts_on=today, note=PAYLOAD)
    ledgers.topic_create(actor=leader, unit=street, title=PAYLOAD, owners=[leader], started_on=today)

    survey = surveys.survey_create(actor=xh_organizer, unit=tree["330106"], title="窗口服务评价")
    question = surveys.question_add(actor=xh_organizer, survey=survey, kind="text", text=PAYLOAD)
    surveys.survey_set_status(actor=xh_organizer, survey=survey, status="open")
    surveys.response_submit(survey=survey, answers={question.pk: PAYLOAD}, phone="13912345678", unit=unit)
    return {"docket": hostile, "survey": survey, "unit": unit}


def xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def csv_fields(data: bytes) -> list[str]:
    return [field for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for field in row]


def problem(name: str, data: bytes, kind: str) -> str | None:
    """What is wrong with an export: a formula anywhere, or the payload missing (the export was not walked)."""
    if kind == "xlsx":
        if data[:2] != b"PK":
            return f"{name}: not a workbook"
        cells = xlsx_cells(data)
        formulas = [c.coordinate for c in cells
                    if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("="))]
        if formulas:
            return f"{name}: formula cells {formulas}"
        texts = [c.value for c in cells if isinstance(c.value, str)]
    else:
        texts = csv_fields(data)
        if any(f.startswith("=") for f in texts):
            return f"{name}: CSV fields start with '='"
    if not any("HYPERLINK" in t for t in texts):
        return f"{name}: the typed text did not reach the export"
    return None


def test_every_export_shows_a_typed_formula_as_text(planted, tree, tmp_path):
    from qingdan.core.periods import period_containing
    from qingdan.people.models import User

    admin = User.objects.create_superuser("exporter", password="correct-horse-battery-9")
    client = Client()
    client.force_login(admin)
    week = period_containing("week", timezone.localdate()).key
    docket, survey = planted["docket"], planted["survey"]
    downloads = {
        "units CSV": ("/units/330106/export.csv", "csv"),
        "figures CSV": ("/supervision/units/330106/export/?format=csv", "csv"),
        "figures XLSX": ("/supervision/units/330106/export/?format=xlsx", "xlsx"),
        "leaderboard CSV": ("/supervision/units/330106/leaderboard/?format=csv", "csv"),
        "leaderboard XLSX": ("/supervision/units/330106/leaderboard/?format=xlsx", "xlsx"),
        "weekly report XLSX": (f"/reports/weekly/3301/?week={week}&format=xlsx", "xlsx"),
        "docket XLSX": (f"/dockets/lists/{docket.pk}/export.xlsx", "xlsx"),
        "visits XLSX": ("/ledgers/export/visits.xlsx", "xlsx"),
        "sessions XLSX": ("/ledgers/export/sessions.xlsx", "xlsx"),
        "liaisons XLSX": ("/ledgers/export/liaisons.xlsx", "xlsx"),
        "topics XLSX": ("/ledgers/export/topics.xlsx", "xlsx"),
        "survey XLSX": (f"/surveys/{survey.pk}/export.xlsx", "xlsx"),
        "survey CSV": (f"/surveys/{survey.pk}/export.csv", "csv"),
    }
    problems = []
    for name, (url, kind) in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        problems.append(problem(name, body, kind))

    # The triage command's CSV files carry the messages' ids and the hot issues' titles.
    messages = tmp_path / "messages.csv"
    with messages.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["id", "留言主题", "留言详情"],
                                      [PAYLOAD, PAYLOAD, "小区门口的饭店油烟和噪音严重影响居民休息。"]])
    out, issues = tmp_path / "classify.csv", tmp_path / "issues.csv"
    call_command("triage", "classify", str(messages), "--output", str(out))
    problems.append(problem("triage classify CSV", out.read_bytes(), "csv"))
    call_command("triage", "group", str(messages), "--output", str(out), "--issues", str(issues))
    problems.append(problem("triage group CSV", out.read_bytes(), "csv"))
    problems.append(problem("triage issues CSV", issues.read_bytes(), "csv"))
    failed = [p for p in problems if p]
    assert not failed, "\n".join(failed)


# -- the writer itself ----------------------------------------------------------------------------

def test_the_writer_escapes_text_and_keeps_numbers_and_dates_typed():
    from qingdan.core.tabular import Sheet, csv_bytes, escape_cell, unescape_cell, xlsx_bytes

    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 30))
    row = [PAYLOAD, "+86 139", "-负号", "@SUM(A1)", "\tcmd", "\rcmd", "#N/A", "普通文字", -5, 2.5, None,
           datetime.date(2026, 3, 1), moment, "bell\x07ring"]
    cells = xlsx_cells(xlsx_bytes(Sheet("t", [row])))
    assert [c.value for c in cells[:5]] == ["'" + PAYLOAD, "'+86 139", "'-负号", "'@SUM(A1)", "'\tcmd"]
    assert cells[5].value in ("'\rcmd", "'\ncmd")  # XML reads a CR back as LF; the apostrophe is what counts
    assert [c.value for c in cells[6:8]] == ["#N/A", "普通文字"]
    assert all(c.data_type == "s" for c in cells[:8])  # '#N/A' is text, not an error value
    assert [c.value for c in cells[8:11]] == [-5, 2.5, None] and cells[8].data_type == "n"
    assert cells[11].value == datetime.datetime(2026, 3, 1) and cells[11].number_format == "yyyy-mm-dd"
    assert cells[12].value == datetime.datetime(2026, 3, 1, 9, 30)  # local time, no zone
    assert cells[13].value == "bellring"  # a control character XLSX cannot hold, instead of a crash
    fields = csv_fields(csv_bytes([row]))
    assert fields[:4] == ["'" + PAYLOAD, "'+86 139", "'-负号", "'@SUM(A1)"] and fields[8] == "-5"
    assert fields[12] == "2026-03-01 09:30:00"
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx", "'quoted", "普通"):
        assert unescape_cell(escape_cell(text)) == text


def test_no_module_writes_a_spreadsheet_by_itself():
    """The one writer stays the only one: no csv.writer or openpyxl Workbook outside core.tabular."""
    from pathlib import Path

    import qingdan

    root = Path(qingdan.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.name != "tabular.py" or path.parent.name != "core"
                 if any(marker in path.read_text(encoding="utf-8")
                        for marker in ("csv.writer(", "csv.DictWriter(", "import Workbook", "WriteOnlyCell"))]
    assert offenders == []
