"""The unit-code rule is one rule (``units.validators``): the service, the API, the model's forms and the importer.

A code has at most 40 characters and no spaces; a dash is fine (``330106-GA``, 西湖区公安局), as
are the national division codes. Each path is tried with a code that breaks the rule, and
nothing is stored.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from qingdan.core.errors import ImportRejected
from qingdan.people.services import token_create
from qingdan.units.errors import UnitInvalid
from qingdan.units.importers import units_import
from qingdan.units.models import Unit
from qingdan.units.services import unit_create, unit_update
from qingdan.units.validators import unit_code_problem, validate_unit_code
from tests.files import csv_bytes

pytestmark = pytest.mark.django_db

BAD_CODES = {"a space": "330106 GA", "a tab": "330106\tGA", "a line break": "330106\nGA", "41 characters": "3" * 41}
BAD = re.compile("编码最多 40 个字符且不含空格|at most 40 characters and no spaces")
MISSING = re.compile("请填写单位编码|Give the unit a code")


def test_codes_with_a_dash_letters_or_digits_only_are_valid(tree):
    for code in ("33", "330106009001", "330106-GA", "330106-ZZB", "QD-2026_a.1", "3" * 40):
        assert unit_code_problem(code) is None
        validate_unit_code(code)
    assert all(unit_code_problem(u.code) is None for u in Unit.objects.all())  # the test tree: regions and 330106-GA


@pytest.mark.parametrize("code", BAD_CODES.values(), ids=BAD_CODES.keys())
def test_the_service_refuses_a_bad_code(tree, code):
    before = Unit.objects.count()
    with pytest.raises(UnitInvalid) as info:
        unit_create(actor="system", parent=tree["330106"], code=code, name="某局", kind="department")
    assert info.value.code == "unit_invalid" and BAD.search(info.value.fields["code"])
    assert Unit.objects.count() == before


def test_the_service_names_every_bad_field_at_once(tree):
    with pytest.raises(UnitInvalid) as info:
        unit_create(actor="system", parent=tree["330106"], code="  ", name="名" * 121, kind="castle")
    assert set(info.value.fields) == {"code", "name", "kind"} and MISSING.search(info.value.fields["code"])
    with pytest.raises(UnitInvalid) as info:
        unit_update(actor="system", unit=tree["330106"], name=" ")
    assert info.value.code == "unit_invalid" and set(info.value.fields) == {"name"}
    assert Unit.objects.get(code="330106").name == tree["330106"].name


@pytest.mark.parametrize("code", BAD_CODES.values(), ids=BAD_CODES.keys())
def test_the_api_refuses_a_bad_code_with_its_field(client, tree, xh_organizer, code):
    _, key = token_create(actor=xh_organizer, user=xh_organizer, name="test")
    response = client.post("/api/v1/units/", {"parent": "330106", "code": code, "name": "某局"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "unit_invalid" and BAD.search(response.json()["fields"]["code"])
    assert not Unit.objects.filter(name="某局").exists()
    dashed = client.post("/api/v1/units/", {"parent": "330106", "code": "330106-SJ", "name": "某局"},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert dashed.status_code == 201 and Unit.objects.get(code="330106-SJ").name == "某局"


def test_a_model_form_refuses_a_bad_code(tree):
    form = modelform_factory(Unit, fields=["code", "name", "kind", "level"])(
        data={"code": "330106 GA", "name": "某局", "kind": "department", "level": 3})
    assert not form.is_valid() and BAD.search(" ".join(form.errors["code"]))
    with pytest.raises(ValidationError):
        Unit(code="3" * 41, name="某局", kind="department", level=3, path="0001", depth=1).full_clean()


@pytest.mark.parametrize("code", BAD_CODES.values(), ids=BAD_CODES.keys())
def test_the_importer_refuses_the_file_with_a_bad_code(tree, code):
    before = Unit.objects.count()
    quoted = '"' + code + '"'
    with pytest.raises(ImportRejected) as info:
        units_import(actor="system", source=csv_bytes("code,name,parent", "330106-SJ,审计局,330106",
                                                      f"{quoted},某局,330106"))
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "code")] and BAD.search(info.value.errors[0].reason)
    assert Unit.objects.count() == before
