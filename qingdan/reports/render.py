"""Lay a weekly report out as HTML, XLSX or PDF (WeasyPrint, Chinese set in Noto Sans CJK)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from qingdan.core.tabular import Sheet, xlsx_bytes
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
    from weasyprint import HTML  # noqa: PLC0415 (WeasyPrint and pango load only when a PDF is made)

    return HTML(string=render_html(report)).write_pdf()


def render_xlsx(report: WeeklyReport) -> bytes:
    """One workbook: the figures with last week's and the change, overdue items, dockets, hot issues.

    Item titles, docket and unit names and hot-issue titles come from people's typing, so the
    workbook is written by ``core.tabular.xlsx_bytes``, which makes formulas in them inert.
    """
    widths = {"A": 28, "C": 30}
    figures: list[list[Any]] = [
        [report.title],
        [_("Week"), f"{report.week.key} ({report.week.start} – {report.week.end})"],
        [],
        [_("Figure"), _("This week"), _("Last week"), pgettext("week on week", "Change")],
        *([line.label, line.this_week, line.last_week, line.delta] for line in report.lines),
        [_("Open now"), report.open_now],
        [_("Overdue now"), report.overdue_now],
    ]
    if report.docket is None:
        figures += [[_("Satisfaction rate"), report.satisfaction], [_("Resolution rate"), report.resolution], [],
                    [report.sentence]]
    sheets = [Sheet(_("Figures"), figures, widths=widths, heading=True)]
    sheets.append(Sheet(_("Overdue"), [
        [_("List"), _("No."), _("Item"), _("Lead unit"), _("Due on"), _("Days late")],
        *([row["docket"], row["number"], row["title"], row["lead_unit"], row["due_on"], row["days_late"]]
          for row in report.overdue)], widths=widths))
    if report.docket is None:
        sheets.append(Sheet(_("By list"), [
            [_("List"), _("New"), _("Closed"), _("Open"), _("Overdue")],
            *([row["docket"], row["new"], row["closed"], row["open"], row["overdue"]] for row in report.by_docket)],
            widths=widths))
    if report.hot_issues is None:
        hot: list[list[Any]] = [[_("Hot issues are not available (the triage app is not installed).")]]
    else:
        hot = [[_("Hot issue"), _("Place"), _("Messages"), _("People"), _("Category")],
               *([row["title"], row["place"], row["size"], row["submitters"], row["category"]]
                 for row in report.hot_issues)]
    sheets.append(Sheet(_("Hot issues"), hot, widths=widths))
    return xlsx_bytes(sheets)


def render(report: WeeklyReport, fmt: str) -> bytes:
    """Return the report's bytes in ``fmt`` (html, xlsx or pdf)."""
    if fmt == "pdf":
        return render_pdf(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    return render_html(report).encode("utf-8")


def filename(report: WeeklyReport, fmt: str) -> str:
    """A report's download name (unit code, list, ISO week), so saved reports sort by week and never collide."""
    suffix = f"-d{report.docket.pk}" if report.docket is not None else ""
    return f"weekly-{report.unit.code}{suffix}-{report.week.key}.{fmt}"
