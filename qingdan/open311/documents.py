"""Build the GeoReport v2 documents, field by field in the order the specification lists them.

Never the submitter's name, phone, e-mail or device, and never the tracking code; a request
not filed by the reading key is written with its public fields only.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.intake.models import Submission
from qingdan.open311 import catalogue
from qingdan.open311.formats import Many
from qingdan.open311.selectors import open311_status, status_label, status_notes

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
        "service_request_id": submission.public_id,
        "service_notice": _("Received. Follow the request by its service_request_id."),
        "account_id": account_id,
    }])


def _request(submission: Submission) -> dict[str, Any]:
    """Write one request: in full for the key that filed it, otherwise its public fields only.

    The public form takes its words from the published item that answers the submission (its
    title and its reply to the public), never the citizen's own text, address or position.
    """
    service = catalogue.service_by_category(submission.category)
    place = submission.place_unit
    own = bool(getattr(submission, "own", False))
    if own:
        notes, description = status_notes(submission), submission.text
        address = submission.place_text or (place.name if place else "")
        lat = submission.latitude if submission.latitude is not None else ""
        long = submission.longitude if submission.longitude is not None else ""
    else:
        notes = getattr(submission, "public_reply", "") or status_label(submission)
        description = getattr(submission, "public_title", "") or ""
        address, lat, long = (place.name if place else ""), "", ""
    return {
        "service_request_id": submission.public_id,
        "status": open311_status(submission.status),
        "status_notes": notes,
        "service_name": service.name if service else submission.category,
        "service_code": service.code if service else "",
        "description": description,
        "agency_responsible": submission.unit.name,
        "service_notice": "",
        "requested_datetime": w3c(submission.created_at),
        "updated_datetime": w3c(submission.updated_at),
        "expected_datetime": "",
        "address": address,
        "address_id": place.code if place else "",
        "zipcode": "",
        "lat": lat,
        "long": long,
        "media_url": "",
    }


def request_list(submissions: list[Submission]) -> Many:
    """Return service requests; one request is still a list of one."""
    return Many("request", [_request(submission) for submission in submissions])


def token(submission: Submission, token_id: str) -> Many:
    """Return the answer to GET tokens/<token>: the request id the token stands for."""
    return Many("request", [{"service_request_id": submission.public_id, "token": token_id}])
