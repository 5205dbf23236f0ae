"""user_of: the one rule for which actor a record links to as its user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from qingdan.core.actors import CITIZEN, SYSTEM, api_client_label, user_of
from qingdan.people.models import User


@pytest.mark.parametrize("actor", [None, SYSTEM, CITIZEN, api_client_label("open311", "city app"), "demo"])
def test_a_marker_or_none_links_to_no_user(actor):
    assert user_of(actor) is None


def test_an_anonymous_visitor_links_to_no_user():
    assert user_of(AnonymousUser()) is None


@pytest.mark.django_db
def test_a_person_links_to_themselves_even_when_inactive():
    user = User.objects.create_user(username="zhang", password="x-Strong-Pass-1")
    assert user_of(user) is user
    user.is_active = False
    assert user_of(user) is user  # who acted is recorded; whether they may act is the scope's question
