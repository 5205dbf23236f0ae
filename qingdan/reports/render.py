"""Lay a weekly report out as HTML, XLSX or PDF (WeasyPrint, Chinese set in Noto Sans CJK)."""

from __future__ import annotations

import base64
import hashlib
import io
from functools import lru_cache

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qingdan.reports.weekly import WeeklyReport

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_html(report: WeeklyReport) -> str:
    """A self-contained page (inline styles, no scripts): the same markup becomes the PDF."""
    return render_to_string("reports/weekly.html", {"report": report})


@lru_cache(maxsize=1)
def style_source() -> str:
    """The CSP source that lets the page's one <style> apply (and no other): its sha256.

    The report must stay one file (it is mailed and printed), so its style is inline; in the
    browser the policy names exactly that block instead of allowing 'unsafe-inline'.
    """
    css = render_to_string("reports/weekly.css")
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def render_pdf(report: WeeklyReport) -> bytes:
    """The HTML page printed by WeasyPrint; fonts-noto-cjk supplies the Chinese glyphs."""
    from weasyprint import HTML

    return HTML(string=render_html(report)).write_pdf()


def render_xlsx(report: WeeklyReport) -> bytes:
    """One workbook: the figures with last week's and the change, overdue items, dockets, hot issues."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Week"), f"{report.week.key} ({report.week.start} – {report.week.end})"])
    sheet.append([])
    sheet.append([_("Figure"), _("This week"), _("Last week"), _("Change")])
    for line in report.lines:
        sheet.append([line.label, line.this_week, line.last_week, line.delta])
    sheet.append([_("Open now"), report.open_now])
    sheet.append([_("Overdue now"), report.overdue_now])
    if report.docket is None:
        sheet.append([_("Satisfaction rate"), report.satisfaction])
        sheet.append([_("Resolution rate"), report.resolution])
        sheet.append([])
        sheet.append([report.sentence])
    overdue = book.create_sheet(_("Overdue")[:31])
    overdue.append([_("List"), _("No."), _("Item"), _("Lead unit"), _("Due on"), _("Days late")])
    for row in report.overdue:
        overdue.append([row["docket"], row["number"], row["title"], row["lead_unit"], row["due_on"], row["days_late"]])
    if report.docket is None:
        dockets = book.create_sheet(_("By list")[:31])
        dockets.append([_("List"), _("New"), _("Closed"), _("Open"), _("Overdue")])
        for row in report.by_docket:
            dockets.append([row["docket"], row["new"], row["closed"], row["open"], row["overdue"]])
    hot = book.create_sheet(_("Hot issues")[:31])
    if report.hot_issues is None:
        hot.append([_("Hot issues are not available (the triage app is not installed).")])
    else:
        hot.append([_("Hot issue"), _("Place"), _("Messages"), _("People"), _("Category")])
        for row in report.hot_issues:
            hot.append([row["title"], row["place"], row["size"], row["submitters"], row["category"]])
    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["C"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report: WeeklyReport, fmt: str) -> bytes:
    """Return the report's bytes in ``fmt`` (html, xlsx or pdf)."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    return render_html(report).encode("utf-8")


def filename(report: WeeklyReport, fmt: str) -> str:
    suffix = f"-d{report.docket.pk}" if report.docket is not None else ""
    return f"weekly-{report.unit.code}{suffix}-{report.week.key}.{fmt}"
