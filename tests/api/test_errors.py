"""One mapper from a service's refusal to the API's answer: every field error has the same 4xx shape.

Each app's ``*Invalid`` subclasses ``core.errors.FieldErrors``; the NinjaAPI's one exception
handler turns any of them into ``{"code", "detail", "fields"}`` with the class's status, and a
page shows the same messages through ``error_text`` / ``error_to_form``.
"""

from __future__ import annotations

import importlib
import json

import pytest
from django import forms
from django.test import RequestFactory

from qingdan.api.api import application_error
from qingdan.core.errors import FieldErrors, NotFound, error_text, error_to_form, form_error_text

ERROR_MODULES = ["intake", "dockets", "ledgers", "surveys", "open311", "units"]


def field_error_classes() -> list[type[FieldErrors]]:
    for app in ERROR_MODULES:
        importlib.import_module(f"qingdan.{app}.errors")
    found, todo = [], [FieldErrors]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls.__module__.startswith("qingdan.")]


def test_every_app_has_its_field_errors_under_the_one_base():
    modules = {cls.__module__ for cls in field_error_classes()}
    assert {f"qingdan.{app}.errors" for app in ERROR_MODULES} <= modules
    codes = [cls.code for cls in field_error_classes()]
    assert len(codes) == len(set(codes)), codes  # a stable code names one class


@pytest.mark.parametrize("cls", field_error_classes(), ids=lambda cls: cls.__name__)
def test_the_api_answers_every_field_error_in_one_shape(cls):
    request = RequestFactory().post("/api/v1/")
    response = application_error(request, cls({"text": "请描述问题。", "unit": "请选择单位。"}))
    body = json.loads(response.content)
    assert response.status_code == cls.http_status and 400 <= cls.http_status < 500
    assert body["code"] == cls.code and body["fields"] == {"text": "请描述问题。", "unit": "请选择单位。"}
    assert "请描述问题。" in body["detail"]


def test_pages_show_the_same_messages_without_field_names():
    class Form(forms.Form):
        text = forms.CharField(required=False)

    refusal = FieldErrors({"text": "请描述问题。", "unit": "请选择单位。", "place": "请选择单位。"})
    assert error_text(refusal) == "请描述问题。；请选择单位。"
    assert error_text(NotFound("没有这个事项。")) == "没有这个事项。"
    form = Form(data={})
    form.is_valid()
    error_to_form(form, refusal)
    assert form.errors == {"text": ["请描述问题。"], "__all__": ["请选择单位。", "请选择单位。"]}
    assert form_error_text(form) == "请描述问题。；请选择单位。"
