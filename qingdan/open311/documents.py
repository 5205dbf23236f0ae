"""Build the GeoReport v2 documents, field by field in the order the specification lists them.

Only public-safe fields are written: never the submitter's name, phone, e-mail or device.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.intake.models import Submission
from qingdan.open311 import catalogue
from qingdan.open311.formats import Many
from qingdan.open311.selectors import open311_status, status_notes

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def w3c(moment: datetime.datetime | None) -> str:
    """Return a W3C/ISO 8601 datetime with its offset (``2026-11-23T09:37:00+08:00``)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def discovery(*, url: str, contact: str) -> dict[str, Any]:
    """Return the service discovery document for this endpoint."""
    return {
        "changeset": catalogue.CHANGESET,
        "contact": contact,
        "key_service": _("api_keys are issued by the operators of this system (`qingdan open311 key create`); "
                         "reading requests by their id needs no key."),
        "endpoints": Many("endpoint", [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": catalogue.CHANGESET,
            "type": "production",
            "formats": Many("format", ["text/xml", "application/json"]),
        }]),
    }


def service_list() -> Many:
    """Return the services (the categories)."""
    return Many("service", [{
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(catalogue.ATTRIBUTES),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    } for service in catalogue.services()])


def service_definition(service: catalogue.Service) -> dict[str, Any]:
    """Return a service definition: the attributes a client may send with a request."""
    return {
        "service_code": service.code,
        "attributes": Many("attribute", [{
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": str(attribute.datatype_description),
            "order": order,
            "description": str(attribute.description),
            **({"values": Many("value", [{"key": key, "name": str(name)} for key, name in attribute.values])}
               if attribute.values else {}),
        } for order, attribute in enumerate(catalogue.ATTRIBUTES, start=1)]),
    }


def created(submission: Submission, *, account_id: str = "") -> Many:
    """Return the answer to a POST: the new request's id (realtime: no token)."""
    return Many("request", [{
        "service_request_id": submission.tracking_code,
        "service_notice": _("Received. Quote this code to follow the case on the tracking page."),
        "account_id": account_id,
    }])


def _request(submission: Submission) -> dict[str, Any]:
    service = catalogue.service_by_category(submission.category)
    place = submission.place_unit
    return {
        "service_request_id": submission.tracking_code,
        "status": open311_status(submission.status),
        "status_notes": status_notes(submission),
        "service_name": service.name if service else submission.category,
        "service_code": service.code if service else "",
        "description": submission.text,
        "agency_responsible": submission.unit.name,
        "service_notice": "",
        "requested_datetime": w3c(submission.created_at),
        "updated_datetime": w3c(submission.updated_at),
        "expected_datetime": "",
        "address": submission.place_text or (place.name if place else ""),
        "address_id": place.code if place else "",
        "zipcode": "",
        "lat": submission.latitude if submission.latitude is not None else "",
        "long": submission.longitude if submission.longitude is not None else "",
        "media_url": "",
    }


def request_list(submissions: list[Submission]) -> Many:
    """Return service requests; one request is still a list of one."""
    return Many("request", [_request(submission) for submission in submissions])


def token(submission: Submission, token_id: str) -> Many:
    """Return the answer to GET tokens/<token>: the request id the token stands for."""
    return Many("request", [{"service_request_id": submission.tracking_code, "token": token_id}])
