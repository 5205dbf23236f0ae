"""A city supervisor opens the dashboard in headless Chromium, drills down to a township by clicking,
and downloads the weekly report as PDF and XLSX; the PDF's text, read back, is Chinese.
"""

from __future__ import annotations

import io

import pytest

from qingdan.units.choices import Role
from tests.browser.conftest import staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_drill_down_and_weekly_downloads(browser, live_server, tree, make_staff):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from qingdan.dockets.services import docket_create, item_create, item_dispatch

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    docket = docket_create(actor=supervisor, name="杭州市民生问题清单", owner_unit=tree["3301"], source="public")
    for title, unit in (("留下村道路破损", "330106009001"), ("小和山社区停车难", "330106009002"),
                        ("西兴街道噪音扰民", "330108001")):
        item_dispatch(actor=operator, item=item_create(actor=operator, docket=docket, title=title,
                                                       lead_unit=tree[unit]))

    page = staff_page(browser, live_server, "hz_supervisor")
    page.locator("nav a[href='/supervision/']").click()
    page.wait_for_url("**/supervision/units/3301/")
    assert page.locator("#unit-name").inner_text().startswith("杭州市")
    # Two dozen figure columns: no header may stack its words one character a line (it did on a desktop).
    lines = page.evaluate("""() => [...document.querySelectorAll('#children th')].map(th => {
        const style = getComputedStyle(th);
        const inner = th.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
        return Math.round(inner / parseFloat(style.lineHeight)); })""")
    assert lines and max(lines) <= 3, lines
    assert page.evaluate("typeof window.echarts") == "object"
    assert page.locator("#chart-children canvas").count() == 1
    page.locator("#children a.drill", has_text="西湖区").click()
    page.wait_for_url("**/supervision/units/330106/**")
    page.locator("#children a.drill", has_text="留下街道").click()
    page.wait_for_url("**/supervision/units/330106009/**")
    assert page.locator("#unit-name").inner_text().startswith("留下街道")
    assert "2" in page.locator(".kpis").inner_text()  # two items dispatched in its villages

    with page.expect_download() as pdf_download:
        page.locator("#weekly-pdf").click()
    pdf = pdf_download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "留下街道" in text

    with page.expect_download() as xlsx_download:
        page.locator("#weekly-xlsx").click()
    book = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    assert "留下街道" in str(book.active["A1"].value)
    page.context.close()
