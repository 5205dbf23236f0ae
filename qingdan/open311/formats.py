"""Write GeoReport v2 documents as the specification's XML and its Spark-convention JSON.

A document is built once from plain values: dicts (elements in the order the spec lists
them) and ``Many`` (a list XML writes as repeated elements and JSON as an array). The XML root
wraps the body (``<service_requests><request>…``); the JSON is the body itself, so a single
request is still a one-element array, as the specification's examples show.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # writes XML only; nothing untrusted is parsed with it
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
# Characters XML 1.0 cannot carry at all; they are dropped rather than make the document invalid.
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Escaped in JSON too, so a response pasted into a page or sniffed as HTML cannot run a script.
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Many:
    """A list: ``<item>`` elements in XML, an array in JSON."""

    item: str
    values: Sequence[Any]


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _number(value)
    return _XML_INVALID.sub("", str(value))


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, Many):
        for child in value.values:
            _fill(ET.SubElement(element, value.item), child)
    else:
        element.text = _scalar(value)


def to_xml(root: str, body: Any) -> bytes:
    """Return the document as UTF-8 XML with the declaration the specification asks for."""
    element = ET.Element(root)
    _fill(element, body)
    text = ET.tostring(element, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {name: _plain(child) for name, child in value.items()}
    if isinstance(value, Many):
        return [_plain(child) for child in value.values]
    if isinstance(value, Decimal):
        return float(value)
    if value == "":
        return None  # the specification's JSON writes empty fields as null
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def to_json(body: Any) -> bytes:
    """Return the document as UTF-8 JSON (Spark convention: the root element is dropped)."""
    return json.dumps(_plain(body), ensure_ascii=False).translate(_JSON_ESCAPES).encode("utf-8")


def render(fmt: str, root: str, body: Any, *, status: int = 200) -> HttpResponse:
    """Return the HTTP response for a document in the requested format."""
    if fmt == "json":
        return HttpResponse(to_json(body), content_type=JSON_TYPE, status=status)
    return HttpResponse(to_xml(root, body), content_type=XML_TYPE, status=status)


def render_errors(fmt: str, errors: Sequence[tuple[int, str]], *, status: int) -> HttpResponse:
    """Return the specification's error list: one ``<error>`` with a code and a description each."""
    body = Many("error", [{"code": code, "description": description} for code, description in errors])
    return render(fmt, "errors", body, status=status)
