"""Who takes an action: the one type of every service's ``actor``.

It sits in core, the bottom layer, so every app can name it; it imports nothing from the apps
(the type checker reads ``User`` as the AUTH_USER_MODEL, ``people.User``). The variants, as the
code meets them:

- a **user** (``people.User``): staff in a page, an
  integration over the REST API (its bearer token authenticates as the user who owns it), or
  an operator recording a citizen's words. Services check its roles and scope.
- an **anonymous user** (``AnonymousUser``): a page's ``request.user`` before login. It holds no
  roles, so every scope check refuses it; services that a citizen may use take ``CITIZEN``.
- a **marker** (``str``): who acted when no account did. ``SYSTEM`` for commands, the
  periodic tick and the loop's own consequences (a rating that reopens an item); ``CITIZEN``
  for the person on the public pages; other labels name a machine client or a job, as
  ``api_client_label`` does for an Open311 key ("open311:<key name>"), "triage", "demo".
  A marker is trusted: ``units.scopes.is_system`` is true for it and scope checks are skipped,
  so only server code (never a request's input) chooses one.
- ``None``: the system, as a marker; kept because older call sites pass it.

The audit trail stores a user by id and username and a marker as its label; a record that links
to a user (``created_by``, an event's actor) takes ``user_of(actor)``, so a marker links to none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # importing the auth models needs the app registry; the types need only the names
    # ``_User`` is django-stubs' name for the AUTH_USER_MODEL: its plugin resolves it to
    # people.User, which core may not import (the layers contract).
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import _User as User

Actor: TypeAlias = "User | AnonymousUser | str | None"

SYSTEM = "system"
CITIZEN = "citizen"


def api_client_label(kind: str, name: str) -> str:
    """Return the marker of a machine client that holds no user account (e.g. an Open311 key)."""
    return f"{kind}:{name}"[:150]


def user_of(actor: Actor) -> User | None:
    """Return the user an actor is, for a link to a user: None for a marker, anonymous or None.

    A record keeps who acted as a foreign key to a user; a marker (the system, a citizen, a
    machine client) and an anonymous visitor have none, and keep at most a label.
    """
    if actor is None or isinstance(actor, str) or actor.is_authenticated is False:
        return None
    return actor
