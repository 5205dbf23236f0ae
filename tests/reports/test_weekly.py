"""The weekly report: figures against last week, overdue items with their units, files, e-mail, command."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from qingdan.core.errors import PermissionDenied
from qingdan.core.periods import period_containing
from qingdan.dockets.services import item_dispatch, items_grade
from qingdan.reports.render import render
from qingdan.reports.services import subscription_create, weekly_send
from qingdan.reports.weekly import weekly_build
from qingdan.supervision.models import Figure

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    return period_containing("week", timezone.localdate())


@pytest.fixture
def loaded(make_item, hz_operator, tree):
    late = make_item(title="西湖区老旧小区加装电梯", deadline=timezone.localdate() + datetime.timedelta(days=2))
    item_dispatch(actor=hz_operator, item=late)
    make_item(title="滨江区河道保洁", lead_unit=tree["330108"])
    items_grade(on=timezone.localdate() + datetime.timedelta(days=30))
    return late


def test_figures_this_week_against_last_week_and_overdue_with_units(loaded, tree, week):
    report = weekly_build(unit=tree["3301"], week=week)
    lines = {line.name: line for line in report.lines}
    assert (lines["new"].this_week, lines["new"].last_week, lines["new"].delta) == (2, 0, 2)
    assert lines["dispatched"].this_week == 1
    assert report.overdue_now == 1
    assert [(row["title"], row["lead_unit"]) for row in report.overdue] == [("西湖区老旧小区加装电梯", "西湖区")]
    assert report.by_docket[0]["overdue"] == 1
    # 滨江 does not see 西湖's overdue item in its own report.
    assert weekly_build(unit=tree["330108"], week=week).overdue == []
    assert week.previous().key != week.key


def test_a_docket_report_counts_its_own_items(loaded, tree, week, docket):
    report = weekly_build(unit=tree["330106"], week=week, docket=docket)
    assert {line.name: line.this_week for line in report.lines}["new"] == 1
    assert report.overdue_now == 1


def test_pdf_renders_chinese_and_xlsx_opens(loaded, tree, week):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    report = weekly_build(unit=tree["3301"], week=week)
    pdf = render(report, "pdf")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "杭州市" in text and "西湖区老旧小区加装电梯" in text
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    values = [c for row in book.worksheets[1].iter_rows(values_only=True) for c in row]
    assert "西湖区老旧小区加装电梯" in values and "西湖区" in values
    assert "杭州市" in render(report, "html").decode()


def test_command_writes_each_format(loaded, tmp_path, week):
    for fmt in ("html", "xlsx", "pdf"):
        out = tmp_path / f"w.{fmt}"
        call_command("report", "weekly", "--unit", "3301", "--week", week.key, "--format", fmt, "--output", str(out))
        assert out.stat().st_size > 500
    with pytest.raises(CommandError):
        call_command("report", "weekly", "--unit", "nope", "--week", week.key)
    with pytest.raises(CommandError):
        call_command("report", "weekly", "--unit", "3301", "--week", "2026-13")


def test_verify_command_finds_and_repairs_drift(loaded, tree):
    out = io.StringIO()
    call_command("report", "verify", stdout=out)
    assert "0 differ" in out.getvalue()
    Figure.objects.filter(unit=tree["33"], name="new").update(value=99)
    with pytest.raises(CommandError):
        call_command("report", "verify", stdout=io.StringIO())
    call_command("report", "verify", "--repair", stdout=io.StringIO())
    call_command("report", "verify", "--unit", "330106", stdout=io.StringIO())


def test_subscribers_get_the_report_once_a_week(loaded, tree, hz_supervisor, xh_supervisor, week, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hz_supervisor.email = "hz@example.org"
    hz_supervisor.save()
    subscription_create(actor="system", user=hz_supervisor, unit=tree["3301"], fmt="pdf")
    xh_supervisor.email = "xh@example.org"
    xh_supervisor.save()
    with pytest.raises(PermissionDenied):
        subscription_create(actor="system", user=xh_supervisor, unit=tree["330108"])
    assert weekly_send(week=week) == 1
    assert weekly_send(week=week) == 0
    message = mail.outbox[0]
    assert message.to == ["hz@example.org"]
    name, content, mimetype = message.attachments[0]
    assert name.endswith(".pdf") and content.startswith(b"%PDF") and mimetype == "application/pdf"


def test_send_command_runs_the_task(loaded, tree, hz_supervisor, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    hz_supervisor.email = "hz@example.org"
    hz_supervisor.save()
    subscription_create(actor="system", user=hz_supervisor, unit=tree["3301"], fmt="xlsx")
    out = io.StringIO()
    call_command("report", "send", stdout=out)
    assert "sent 1" in out.getvalue()
    assert mail.outbox[0].attachments[0][0].endswith(".xlsx")


def test_scheme_command_writes_a_new_version(tree):
    out = io.StringIO()
    call_command("report", "scheme", "--unit", "3301", "--weights", "response_rate=1,on_time_rate=3", stdout=out)
    call_command("report", "scheme", "--unit", "3301", "--weights", "response_rate=1", stdout=out)
    assert "version 2" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("report", "scheme", "--unit", "3301", "--weights", "nonsense=1")
