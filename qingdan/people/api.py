"""The caller's own account over HTTP."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from qingdan.people.selectors import roles_of

router = Router(tags=["people"])


class RoleOut(Schema):
    role: str
    unit_code: str
    unit_name: str


class MeOut(Schema):
    username: str
    display_name: str
    home_unit: str | None
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="Who am I, and over which units")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert user.is_authenticated  # the API's auth lets only users in
    roles = roles_of(user)
    return MeOut(username=user.username, display_name=user.display_name,
                 home_unit=user.home_unit.code if user.home_unit else None,
                 roles=[RoleOut(role=r.role, unit_code=r.unit.code, unit_name=r.unit.name) for r in roles])
