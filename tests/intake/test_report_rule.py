"""A report (举报) must name the unit it is about: the rule lives in ``submission_clean``, so no way in skips it.

Each entry point is tried the way someone getting around the page's check would: the service
called directly, the REST API with the unit left out (or given only as the place), the bulk
importer and its command. The page and the desk are in tests/portal/test_submit.py and
tests/intake/test_desk.py; Open311 takes no reports at all (tests/open311/test_http.py).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command

from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_create
from qingdan.units.choices import Role
from tests.files import csv_bytes

pytestmark = pytest.mark.django_db

MUST_NAME = re.compile("举报须写明被举报的单位|A report must name the unit it is about")
URL = "/api/v1/submissions/"


def test_the_service_refuses_a_report_naming_no_unit_even_with_a_place(tree):
    for place in (None, tree["330106-GA"]):
        with pytest.raises(SubmissionInvalid) as info:
            submission_create(actor="system", channel="hotline", kind="report", text="所长收受红包。",
                              unit=tree["330106"], place_unit=place, anonymous=True)
        assert info.value.code == "submission_invalid" and MUST_NAME.search(info.value.fields["accused_unit"])
    assert not Submission.objects.exists()
    # The rule is about reports only; with the unit named the report is stored, held by the receiver.
    submission_create(actor="system", channel="hotline", kind="complaint", text="路灯坏了。", unit=tree["330106"],
                      anonymous=True)
    report, _new = submission_create(actor="system", channel="hotline", kind="report", text="所长收受红包。",
                                     unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    assert (report.unit.code, report.accused_unit.code) == ("330106", "330106-GA")


@pytest.fixture
def api_post(client, tree, make_staff):
    from qingdan.people.services import token_create

    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    _, key = token_create(actor=operator, user=operator, name="desk")

    def post(**fields):
        body = {"kind": "report", "text": "所长收受红包。", "unit": "330106", "anonymous": True, **fields}
        return client.post(URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")

    return post


@pytest.mark.parametrize("fields", [{}, {"accused_unit": None}, {"accused_unit": ""}, {"place_unit": "330106-GA"}],
                         ids=["left out", "null", "empty", "only as the place"])
def test_the_api_refuses_a_report_without_its_accused_unit_and_stores_nothing(api_post, fields):
    response = api_post(**fields)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "submission_invalid" and MUST_NAME.search(body["fields"]["accused_unit"])
    assert not Submission.objects.exists()
    # Every problem comes back at once, the report rule among them.
    both = api_post(text="", **fields).json()["fields"]
    assert set(both) >= {"text", "accused_unit"}


def test_the_api_stores_a_report_that_names_its_unit(api_post, tree):
    response = api_post(accused_unit="330106-GA")
    assert response.status_code == 201, response.content
    report = Submission.objects.get()
    assert (report.kind, report.unit.code, report.accused_unit.code) == ("report", "330106", "330106-GA")


def test_the_import_command_lists_a_report_naming_no_unit_and_stores_only_the_rest(tree, tmp_path):
    path = tmp_path / "hotline.csv"
    path.write_bytes(csv_bytes("id,text,kind,place", "1,局长收受红包,举报,", "2,所长收受红包,举报,330106-GA",
                               "3,路灯坏了,投诉,"))
    out, err = io.StringIO(), io.StringIO()
    call_command("import-submissions", str(path), "--unit", "330106", stdout=out, stderr=err)
    assert "row 2, column place" in err.getvalue() and MUST_NAME.search(err.getvalue())
    stored = dict(Submission.objects.values_list("external_id", "accused_unit__code"))
    assert stored == {"2": "330106-GA", "3": None}
