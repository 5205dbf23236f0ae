"""Fuzz the whole REST API from its own OpenAPI document: whatever the input, never a 500.

Schemathesis generates requests for every operation the document describes (valid and
invalid bodies, query strings and path parameters) and sends them to the WSGI application
in this process, on the test database, with a valid token. A bounded number of examples per
operation keeps the run to well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from qingdan.people.services import token_create
from qingdan.units.choices import Role

MAX_EXAMPLES = 30


@pytest.fixture
def keep_test_connection():
    """Stop the WSGI handler closing the database connection after each request, as Django's test client does.

    Schemathesis calls the real WSGI application; its request_finished signal would close the
    connection that holds the test's transaction (PostgreSQL keeps connections: CONN_MAX_AGE).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_headers(tree, make_staff, keep_test_connection):
    """A handler and organizer of 西湖区 with a token; throttle counts start from zero."""
    cache.clear()
    user = make_staff("fuzz_caller", Role.HANDLER, tree["330106"])
    from qingdan.people.services import role_grant

    role_grant(actor="test", user=user, role=Role.ORGANIZER, unit=tree["330106"])
    _, key = token_create(actor=user, user=user, name="fuzz")
    return {"Authorization": f"Bearer {key}"}


# The document the API serves (generated without the database): what clients see is what gets fuzzed.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_no_operation_answers_500(case, fuzz_headers):
    response = case.call(headers=fuzz_headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
