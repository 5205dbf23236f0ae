"""The Open311 services: the 15 top-level categories of the message taxonomy, shipped as data.

``data/services.csv`` holds one row per category with a stable ``service_code`` (an ASCII slug
that integrators put in their apps) and the category name that submissions store in
``category``. Codes never change once released; names may be reworded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from qingdan.intake.choices import SubmissionKind

SERVICES_FILE = Path(__file__).resolve().parent / "data" / "services.csv"
# Bump when services.csv or the attributes below change: clients refresh their cached lists on it.
CHANGESET = "2026-11-23T00:00:00+08:00"

# Kinds an Open311 client may choose. Reports against officials are left out on purpose: they
# need the anonymity rules of the portal form, and Open311 never shows them back.
OPEN311_KINDS = (SubmissionKind.COMPLAINT, SubmissionKind.HELP, SubmissionKind.SUGGESTION,
                 SubmissionKind.QUESTION, SubmissionKind.PRAISE)


@dataclass(frozen=True)
class Service:
    """One service type of GeoReport v2, i.e. one category."""

    code: str
    name: str
    description: str
    keywords: str
    group: str


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (the same for every service)."""

    code: str
    datatype: str
    required: bool
    description: object  # a lazy translation
    datatype_description: object = ""
    values: tuple[tuple[str, object], ...] = ()


ATTRIBUTES = (
    Attribute(code="kind", datatype="singlevaluelist", required=False,
              description=_("What kind of message this is (a complaint when not given)."),
              values=tuple((kind.value, kind.label) for kind in OPEN311_KINDS)),
    Attribute(code="subject", datatype="string", required=False,
              description=_("A short title (taken from the description when not given)."),
              datatype_description=_("At most 200 characters, one line.")),
)


@cache
def services() -> tuple[Service, ...]:
    """Return every service in file order."""
    with SERVICES_FILE.open(encoding="utf-8", newline="") as handle:
        return tuple(Service(code=row["service_code"], name=row["service_name"], description=row["description"],
                             keywords=row["keywords"], group=row["group"]) for row in csv.DictReader(handle))


@cache
def _by_code() -> dict[str, Service]:
    return {service.code: service for service in services()}


@cache
def _by_name() -> dict[str, Service]:
    return {service.name: service for service in services()}


def service_by_code(code: str) -> Service | None:
    """Return the service with this code, or None."""
    return _by_code().get(code)


def service_by_category(category: str) -> Service | None:
    """Return the service a stored category belongs to, or None for categories of other channels."""
    return _by_name().get(category)
