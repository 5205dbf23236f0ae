"""Staff pages of supervision: a dashboard per unit (drill down by clicking), leaderboards, exports.

Thin: parse the period, fetch the unit through the scoped selector (a unit outside the reader's
scope is "not found", never shown), read figures, render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingdan.core.downloads import harden_download
from qingdan.core.errors import ApplicationError, error_text
from qingdan.core.periods import Period, last_months, period_containing, query_period
from qingdan.core.tabular import Sheet, csv_bytes, xlsx_bytes
from qingdan.dockets import selectors as dockets_selectors
from qingdan.dockets.choices import DocketKind, DocketSource, ItemStatus
from qingdan.supervision import selectors, services
from qingdan.supervision.rates import FORMULA_LABELS, INDEX_COMPONENTS, RATES, Rates, sentence
from qingdan.units.models import Unit
from qingdan.units.scopes import may
from qingdan.units.selectors import unit_ancestors, unit_children

EXPORT_COLUMNS = ("new", "dispatched", "responded", "closed", "closed_on_time", "resolved", "stage_results",
                  "returns", "rated", "satisfied", "basic", "unsatisfied", "solved", "unsolved", "open", "overdue",
                  "response_rate", "resolution_rate", "satisfaction_rate", "closure_rate", "on_time_rate",
                  "repeat_rate",
                  "sub_new", "sub_closed", "sub_stage_results", "sub_open")


def _unit(request: HttpRequest, code: str) -> Unit:
    return selectors.unit_get_for_figures(user=request.user, code=code)


def _period(request: HttpRequest, default_kind: str = "month") -> Period:
    """?period= as a month, quarter, year or week; a period that cannot be read is a 400 with its message."""
    return query_period(request.GET, "period", default_kind=default_kind)


# The figures whose items the queue can list exactly (its filters say what each counts):
# every count is of top-level items (``level=top``), like the figures themselves.
LINKED_COLUMNS = ("new", "open", "overdue")


def items_url(unit: Unit, figure: str, period: Period | None = None, *, own: bool = False) -> str:
    """The items queue filtered to what one figure of ``unit`` counts, so that a click lists its items.

    ``new`` is the items listed in the period, ``open`` and ``overdue`` the stock now (open, and
    open and graded red: ``Rates.overdue``); any other name lists the subtree's top-level items.
    ``own`` keeps to the items the unit leads itself (the 「本级」 row).
    """
    query: dict[str, str] = {"view": "all", "unit": unit.code, "level": "top"}
    if own:
        query["own"] = "1"
    if figure == "new" and period is not None:
        query.update(since=period.start.isoformat(), until=period.end.isoformat())
    elif figure == "open":
        query["status"] = "open"
    elif figure == "overdue":
        query["overdue"] = "1"
    return reverse("dockets:queue") + "?" + urlencode(query)


def _is_empty(data: dict[str, Any]) -> bool:
    """A row with nothing to show (every figure zero or unmeasured): folded away behind 「显示全部」."""
    return not any(data.get(c) for c in EXPORT_COLUMNS)


def column_labels() -> dict[str, str]:
    labels = {"new": _("New items"), "dispatched": _("Dispatched"), "responded": _("Answered in time"),
              "closed": _("Closed"), "closed_on_time": _("Closed on time"), "resolved": _("Listed and closed"),
              "stage_results": _("Stage results"), "returns": _("Returns"), "rated": _("Ratings"),
              "satisfied": _("Satisfied"), "basic": _("Basically satisfied"), "unsatisfied": _("Unsatisfied"),
              "solved": _("Answered “solved”"), "unsolved": _("Answered “not solved”"), "open": _("Open now"),
              "overdue": _("Overdue now"),
              "sub_new": _("Sub-items listed"), "sub_closed": _("Sub-items closed"),
              "sub_stage_results": _("Sub-items with stage results"), "sub_open": _("Sub-items open now")}
    labels.update({name: str(RATES[name][2]) + " (%)" for name in RATES})
    return labels


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Open the dashboard of the reader's top unit."""
    units = selectors.figure_units_for_user(request.user)
    if not units:
        raise Http404(_("You have no units to supervise."))
    return redirect("supervision:dashboard", code=units[0].code)


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's figures for a period: rates, the bulletin sentence, trends, breakdowns, its children."""
    unit = _unit(request, code)
    period = _period(request)
    rates = selectors.unit_rates(unit=unit, start=period.start, end=period.end)
    children = list(unit_children(unit, include_retired=False))
    child_rates = selectors.units_rates(units=children, start=period.start, end=period.end)
    own = selectors.own_rates(total=rates, children=list(child_rates.values()))
    rows = [(c, child_rates[c.pk].as_dict()) for c in children]
    shown = [(c, data) for c, data in rows if not _is_empty(data)]
    scope = selectors.figure_scope(request.user)
    months = last_months(period.end, 12)
    trend = selectors.monthly_series(unit=unit, months=[(m.start, m.end) for m in months],
                                     names=("new", "closed", "dispatched"))
    status_labels = dict(ItemStatus.choices)
    source_labels, kind_labels = dict(DocketSource.choices), dict(DocketKind.choices)
    chart = {
        "months": [m.key for m in months],
        "trend": [{"name": str(_("New items")), "data": trend["new"]},
                  {"name": str(_("Dispatched")), "data": trend["dispatched"]},
                  {"name": str(_("Closed")), "data": trend["closed"]}],
        "status": [{"name": str(status_labels.get(k, k)), "value": v} for k, v in rates.breakdown("status:").items()],
        "children": {  # the units with something to show (the others are folded away below the table)
            "names": [c.name for c, _data in shown],
            "codes": [c.code for c, _data in shown],
            "urls": [reverse("supervision:dashboard", args=[c.code]) + f"?period={period.key}" for c, _d in shown],
            "new": [child_rates[c.pk].get("new") for c, _data in shown],
            "closed": [child_rates[c.pk].get("closed") for c, _data in shown],
            "overdue": [child_rates[c.pk].overdue for c, _data in shown],
        },
        "labels": {"new": str(_("New items")), "closed": str(_("Closed")), "overdue": str(_("Overdue now"))},
    }
    ancestors = [(a, scope.contains(a)) for a in unit_ancestors(unit)]
    context = {
        "unit": unit, "period": period, "rates": rates, "figures": rates.as_dict(), "labels": column_labels(),
        "sentence": sentence(rates), "ancestors": ancestors, "chart": chart,
        "children": [(c, data, _row_links(c, period)) for c, data in shown],
        "folded": [(c, data, _row_links(c, period)) for c, data in rows if _is_empty(data)],
        "own": own.as_dict(), "own_links": _row_links(unit, period, own=True), "has_children": bool(children),
        "links": _row_links(unit, period), "linked": LINKED_COLUMNS,
        "categories": [(category_label(name), n) for name, n in
                       sorted(rates.breakdown("new:cat:").items(), key=lambda kv: -kv[1])[:15]],
        "sources": [(source_labels.get(k, k), v) for k, v in rates.breakdown("new:source:").items()],
        "kinds": [(kind_labels.get(k, k), v) for k, v in rates.breakdown("new:kind:").items()],
        "previous": period.previous(), "periods": _period_choices(period),
        "rate_names": list(RATES), "formulas": {k: str(v) for k, v in FORMULA_LABELS.items()},
        "rate_labels": {k: str(v[2]) for k, v in RATES.items()},
        "columns": EXPORT_COLUMNS,
        "approved_extensions": dockets_selectors.approved_extensions_count(unit=unit, start=period.start,
                                                                           end=period.end),
    }
    return render(request, "supervision/dashboard.html", context)


def _row_links(unit: Unit, period: Period, *, own: bool = False) -> dict[str, str]:
    return {name: items_url(unit, name, period, own=own) for name in (*LINKED_COLUMNS, "all")}


def category_label(name: str) -> str:
    """The figures keep an item without a category under "-"; readers see 「未分类」."""
    return name if name.strip() not in ("", "-", "None") else _("Uncategorised")


def _period_choices(current: Period) -> list[tuple[str, str]]:
    today = timezone.localdate()
    keys = [m.key for m in reversed(last_months(today, 6))]
    keys += [period_containing("quarter", today).key, period_containing("quarter", today).previous().key,
             str(today.year), str(today.year - 1)]
    if current.key not in keys:
        keys.insert(0, current.key)
    return [(k, k) for k in keys]


def _export_rows(unit: Unit, period: Period) -> tuple[list[str], list[list[Any]]]:
    children = list(unit_children(unit, include_retired=False))
    all_rates: dict[int, Rates] = selectors.units_rates(units=[unit, *children], start=period.start, end=period.end)
    labels = column_labels()
    header = [_("Unit code"), _("Unit"), _("Period")] + [labels[c] for c in EXPORT_COLUMNS]
    rows = []
    for u in [unit, *children]:
        data = all_rates[u.pk].as_dict()
        rows.append([u.code, u.name, period.key] + [data.get(c) for c in EXPORT_COLUMNS])
    return header, rows


def tabular_response(header: list[str], rows: list[list[Any]], *, fmt: str, name: str) -> HttpResponse:
    """The same table as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX, unit names escaped."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(Sheet(name, [header, *rows])),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(csv_bytes([header, *rows]), content_type="text/csv; charset=utf-8")
        fmt = "csv"
    return harden_download(response, filename=f"{name}.{fmt}")


@login_required
@require_GET
def figures_export(request: HttpRequest, code: str) -> HttpResponse:
    """Every figure of the dashboard (the unit and its children) as CSV or XLSX."""
    unit = _unit(request, code)
    period = _period(request)
    header, rows = _export_rows(unit, period)
    return tabular_response(header, rows, fmt=request.GET.get("format", "csv"),
                            name=f"figures-{unit.code}-{period.key}")


@login_required
@require_GET
def leaderboard(request: HttpRequest, code: str) -> HttpResponse:
    """登台打擂: the units of one level under ``code`` ranked on the composite index, with movement."""
    unit = _unit(request, code)
    period = _period(request, default_kind="quarter")
    scheme = services.scheme_for(unit=unit)
    rows = services.board_compute(parent=unit, period=period, scheme=scheme)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        labels = column_labels()
        header = [_("Rank"), _("Unit code"), _("Unit"), _("Index"), _("Unit grade"), _("Movement")] + [
            labels[c] for c in EXPORT_COLUMNS]
        table = [[r.rank, r.unit.code, r.unit.name, r.index, r.grade, _("new") if r.is_new else r.movement]
                 + [r.rates.as_dict().get(c) for c in EXPORT_COLUMNS] for r in rows]
        return tabular_response(header, [[None if v is None else (float(v) if hasattr(v, "quantize") else v)
                                           for v in row] for row in table],
                                fmt=fmt, name=f"leaderboard-{unit.code}-{period.key}")
    weights = scheme.weights
    total = sum(weights.values()) or 1
    formula = " + ".join(f"{weights[k] / total:.2f} × {FORMULA_LABELS[k]}" for k in INDEX_COMPONENTS if k in weights)
    context = {"unit": unit, "period": period, "previous": period.previous(), "rows": rows, "scheme": scheme,
               "formula": formula,
               "rate_names": [k for k in RATES if k != "repeat_rate"], "rate_labels": {k: str(v[2]) for k, v in
                                                                                     RATES.items()},
               "formulas": {k: str(v) for k, v in FORMULA_LABELS.items()}, "periods": _board_periods(period),
               "links": {r.unit.pk: _row_links(r.unit, period) for r in rows},
               "may_record": may(request.user, unit, services.RANKING_ROLES),
               "recorded": unit and selectors.ranking_recorded(parent=unit, period=period)}
    template = "supervision/leaderboard_print.html" if request.GET.get("print") else "supervision/leaderboard.html"
    return render(request, template, context)


def _board_periods(current: Period) -> list[str]:
    today = timezone.localdate()
    quarter = period_containing("quarter", today)
    month = period_containing("month", today)
    keys = [quarter.key, quarter.previous().key, month.key, month.previous().key, str(today.year),
            str(today.year - 1)]
    if current.key not in keys:
        keys.insert(0, current.key)
    return keys


@login_required
@require_POST
def leaderboard_record(request: HttpRequest, code: str) -> HttpResponse:
    """Store the board as it stands (with its weights version) and set the units' grades."""
    unit = _unit(request, code)
    period = _period(request, default_kind="quarter")
    try:
        services.ranking_record(actor=request.user, parent=unit, period=period)
        messages.success(request, _("The leaderboard was recorded; unit grades are updated."))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect(reverse("supervision:leaderboard", args=[unit.code]) + f"?period={period.key}")
