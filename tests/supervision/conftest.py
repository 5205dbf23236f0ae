"""Supervision fixtures: the intake tests' helper that submits through the real service."""

from __future__ import annotations

from tests.intake.conftest import submit  # noqa: F401 - the same helper as the intake tests
