"""The import template (下载模板): the import's own columns, a sample row, and it imports as downloaded."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qingdan.dockets.exporters import IMPORT_COLUMNS
from qingdan.dockets.importers import COLUMNS, items_import
from qingdan.dockets.models import Item

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_list_page_links_the_template_and_it_round_trips_into_an_empty_list(client, docket, hz_operator):
    client.force_login(hz_operator)
    page = client.get(reverse("dockets:docket", args=[docket.pk])).content.decode()
    url = reverse("dockets:docket_import_template", args=[docket.pk])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response.content)
    assert rows[0] == [COLUMNS[name][0] for name in IMPORT_COLUMNS]  # exactly the headers the import reads
    assert len(rows) == 2 and rows[1][IMPORT_COLUMNS.index("lead_unit")] == docket.owner_unit.code
    assert not Item.objects.filter(docket=docket).exists()
    result = items_import(actor=hz_operator, docket=docket, name="模板.xlsx", data=response.content)
    item = Item.objects.get(docket=docket)
    assert result.created == [item.number] and item.lead_unit == docket.owner_unit
    assert item.title == rows[1][IMPORT_COLUMNS.index("title")] and item.deadline is not None
    assert item.published is False and item.priority == "normal"


def test_the_template_is_as_private_as_its_list(client, docket, bj_handler):
    client.force_login(bj_handler)
    assert client.get(reverse("dockets:docket_import_template", args=[docket.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("dockets:docket_import_template", args=[docket.pk])).status_code == 302
