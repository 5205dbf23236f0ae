"""Read values typed by hand in a query string (or a plain form post) into dates and numbers.

A link can be edited by anyone: ``?from=2026-02-30`` or ``?page=9999999999999999999`` must be
told "write it like this" (400), never answered with a crash. Every view that reads a date, a
number or a year from ``request.GET`` goes through here, so the rule and its message live once.
``ParameterInvalid`` is an ``ApplicationError``: the page middleware renders it as a 400 page and
the API maps it to a 400 JSON body.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qingdan.core.errors import ApplicationError

# The years any date of the product can sensibly fall in; beyond them date arithmetic
# (a period before, a week after) would leave Python's calendar and crash.
YEAR_MIN = 1900
YEAR_MAX = 2200

# The largest primary key (BigAutoField): a bigger number in ?docket= would overflow the database driver.
ID_MAX = 2**63 - 1

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")


class ParameterInvalid(ApplicationError):
    """A value in the address or a plain form field could not be read; the message says how to write it."""

    code = "parameter_invalid"
    http_status = 400


def year_check(year: int, *, name: str) -> int:
    """Return ``year`` if it lies in the product's years, else refuse it by name."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ParameterInvalid(_("%(name)s: the year must lie between %(min)d and %(max)d.") % {
            "name": name, "min": YEAR_MIN, "max": YEAR_MAX}, extra={"parameter": name})
    return year


def date_parse(text: str | None, *, name: str) -> datetime.date | None:
    """Read ``2026-01-31`` (empty is ``None``); an impossible or far-off date is refused by name."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if not _ISO_DATE.match(text):
            raise ValueError(text)
        day = datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise ParameterInvalid(_("%(name)s: write the date as 2026-01-31 (a day that exists).") % {"name": name},
                               extra={"parameter": name}) from exc
    year_check(day.year, name=name)
    return day


def query_date(query: Mapping[str, str], name: str, *,
               default: datetime.date | None = None) -> datetime.date | None:
    """The date in ``query[name]``, or ``default`` when the parameter is missing or empty."""
    day = date_parse(query.get(name), name=name)
    return default if day is None else day


def query_int(query: Mapping[str, str], name: str, *, default: int | None = None,
              minimum: int | None = None, maximum: int | None = None) -> int | None:
    """The whole number in ``query[name]`` within [minimum, maximum], or ``default`` when missing or empty."""
    text = (query.get(name) or "").strip()
    if not text:
        return default
    if not _INTEGER.match(text):
        raise ParameterInvalid(_("%(name)s: write a whole number.") % {"name": name}, extra={"parameter": name})
    value = int(text)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ParameterInvalid(_("%(name)s: the number must lie between %(min)s and %(max)s.") % {
            "name": name, "min": "-∞" if minimum is None else minimum, "max": "∞" if maximum is None else maximum},
            extra={"parameter": name})
    return value


def query_year(query: Mapping[str, str], name: str, *, default: int) -> int:
    """The year in ``query[name]`` (1900–2200), or ``default``."""
    return query_int(query, name, default=default, minimum=YEAR_MIN, maximum=YEAR_MAX) or default


def query_text_check(query: Mapping[str, str]) -> None:
    """Refuse a query string carrying a NUL character: no field means one, and PostgreSQL cannot compare it."""
    for key in query:
        values = query.getlist(key) if hasattr(query, "getlist") else [query[key]]
        if "\x00" in key or any("\x00" in value for value in values):
            raise ParameterInvalid(_("The address contains a character that is not allowed (NUL)."),
                                   extra={"parameter": key.replace("\x00", "")})


class BoundedDateField(forms.DateField):
    """A form's date that must fall in the product's years (1900–2200), for forms bound to ``request.GET``.

    Django's own accepts 0001-01-01 and 9999-12-31, and a deadline computed from either leaves the calendar.
    """

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise ValidationError(_("The year must lie between %(min)d and %(max)d.") % {
                "min": YEAR_MIN, "max": YEAR_MAX}, code="year_range")
