"""From the attacker's side: an organizer tries to take over accounts and rights above its own."""

from __future__ import annotations

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import ImportRejected, PermissionDenied
from qingdan.people.models import RoleAssignment, User
from qingdan.people.services import role_grant, role_revoke, token_create, user_deactivate
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from qingdan.units.permissions import may_grant_role, may_manage_user, may_set_unit_kind
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def superadmin(tree):
    user = User.objects.create_superuser("admin", "a@example.org", PASSWORD, home_unit=tree["33"])
    return user


@pytest.fixture
def hz_discipline(tree):
    fields = {"code": "3301-JW", "name": "杭州市纪委监委", "kind": UnitKind.DISCIPLINE, "level": UnitLevel.CITY}
    return Unit.objects.add_child(Unit.objects.get(pk=tree["3301"].pk), fields)


def test_organizer_cannot_open_superusers_change_or_password_page(client, zj_organizer, superadmin):
    client.force_login(zj_organizer)
    change = client.get(f"/admin/people/user/{superadmin.pk}/change/")
    # Not in the organizer's queryset: the admin answers "does not exist" by sending it home.
    assert change.status_code in (403, 404) or (change.status_code == 302 and change.url == "/admin/")
    assert client.get(f"/admin/people/user/{superadmin.pk}/password/").status_code in (403, 404)
    response = client.post(f"/admin/people/user/{superadmin.pk}/password/",
                           {"password1": "taken-over-pass-77", "password2": "taken-over-pass-77",
                            "usable_password": "true"})
    assert response.status_code in (403, 404)
    superadmin.refresh_from_db()
    assert superadmin.check_password(PASSWORD)


def test_organizer_cannot_rename_or_deactivate_superuser_through_the_change_form(client, zj_organizer, superadmin,
                                                                               tree):
    client.force_login(zj_organizer)
    response = client.post(f"/admin/people/user/{superadmin.pk}/change/",
                           {"username": "admin2", "display_name": "x", "home_unit": tree["33"].pk})
    assert response.status_code in (403, 404) or (response.status_code == 302 and response.url == "/admin/")
    superadmin.refresh_from_db()
    assert superadmin.username == "admin" and superadmin.is_active


def test_user_admin_offers_no_bulk_actions(client, zj_organizer, xh_handler):
    client.force_login(zj_organizer)
    client.post("/admin/people/user/", {"action": "delete_selected", "_selected_action": [xh_handler.pk],
                                        "post": "yes"})
    assert User.objects.filter(pk=xh_handler.pk, is_active=True).exists()


def test_organizer_cannot_edit_someone_with_a_role_outside_its_scope(client, xh_organizer, tree, make_staff):
    # Lives in 西湖区 but also leads 滨江区: the 西湖 organizer must not reach the account.
    straddler = make_staff("straddler", Role.HANDLER, tree["330106"])
    role_grant(actor="test", user=straddler, role=Role.LEADER, unit=tree["330108"])
    assert not may_manage_user(xh_organizer, straddler)
    client.force_login(xh_organizer)
    assert client.get(f"/admin/people/user/{straddler.pk}/password/").status_code == 403
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=xh_organizer, user=straddler)
    with pytest.raises(PermissionDenied):
        token_create(actor=xh_organizer, user=straddler, name="steal")


def test_organizer_cannot_manage_a_peer_organizer(zj_organizer, make_staff, tree):
    peer = make_staff("zj_peer", Role.ORGANIZER, tree["33"])
    assert not may_manage_user(zj_organizer, peer)
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=zj_organizer, user=peer)


def test_organizer_may_still_manage_plain_staff_below(client, zj_organizer, xh_handler, tree):
    assert may_manage_user(zj_organizer, xh_handler)
    client.force_login(zj_organizer)
    assert client.get(f"/admin/people/user/{xh_handler.pk}/password/").status_code == 200
    user_deactivate(actor=zj_organizer, user=xh_handler)
    xh_handler.refresh_from_db()
    assert not xh_handler.is_active
    assert AuditEntry.objects.filter(action="people.user_deactivated").exists()


def test_posting_is_superuser_is_ignored_for_non_superusers(client, zj_organizer, xh_handler, tree):
    client.force_login(zj_organizer)
    client.post(f"/admin/people/user/{xh_handler.pk}/change/",
                {"username": "xh_handler", "display_name": "x", "home_unit": tree["330106"].pk, "is_active": "on",
                 "is_superuser": "on", "is_staff": "on"})
    xh_handler.refresh_from_db()
    assert not xh_handler.is_superuser and not xh_handler.is_staff


def test_no_one_grants_at_or_above_their_own(zj_organizer, xh_organizer, xh_handler, tree):
    with pytest.raises(PermissionDenied):
        role_grant(actor=zj_organizer, user=xh_handler, role=Role.ORGANIZER, unit=tree["33"])
    with pytest.raises(PermissionDenied):
        role_grant(actor=zj_organizer, user=xh_handler, role=Role.ADMIN, unit=tree["330106"])
    with pytest.raises(PermissionDenied):
        role_grant(actor=xh_organizer, user=xh_handler, role=Role.LEADER, unit=tree["330108"])
    role_grant(actor=zj_organizer, user=xh_handler, role=Role.ORGANIZER, unit=tree["330106"])  # strictly below


def test_organizer_cannot_revoke_superiors_roles(xh_organizer, zj_organizer, tree):
    assignment = RoleAssignment.objects.get(user=zj_organizer)
    with pytest.raises(PermissionDenied):
        role_revoke(actor=xh_organizer, assignment=assignment)


def test_superuser_manages_anyone(superadmin, zj_organizer):
    assert may_manage_user(superadmin, zj_organizer)


def test_people_import_refuses_existing_account_above_the_actor(zj_organizer, superadmin):
    csv = "用户名,单位编码,角色\nadmin,33,handler\n".encode()
    with pytest.raises(ImportRejected):
        from qingdan.people.importers import people_import

        people_import(actor=zj_organizer, source=csv)


# --- item 3: discipline bodies ------------------------------------------------------------

def test_organizer_cannot_grant_a_role_on_a_discipline_body(zj_organizer, xh_handler, hz_discipline):
    assert not may_grant_role(zj_organizer, hz_discipline, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        role_grant(actor=zj_organizer, user=zj_organizer, role=Role.SUPERVISOR, unit=hz_discipline)
    with pytest.raises(PermissionDenied):
        role_grant(actor=zj_organizer, user=xh_handler, role=Role.HANDLER, unit=hz_discipline)


def test_organizer_cannot_grant_discipline_role_through_admin(client, zj_organizer, hz_discipline):
    client.force_login(zj_organizer)
    client.post("/admin/people/roleassignment/add/",
                {"user": zj_organizer.pk, "role": Role.SUPERVISOR, "unit": hz_discipline.pk})
    assert not RoleAssignment.objects.filter(unit=hz_discipline).exists()


def test_organizer_cannot_turn_a_unit_into_discipline(client, zj_organizer, tree):
    from qingdan.units.services import unit_create, unit_update

    unit = tree["330106009"]
    assert not may_set_unit_kind(zj_organizer, UnitKind.REGION, UnitKind.DISCIPLINE)
    with pytest.raises(PermissionDenied):
        unit_update(actor=zj_organizer, unit=unit, kind=UnitKind.DISCIPLINE)
    with pytest.raises(PermissionDenied):
        unit_create(actor=zj_organizer, parent=tree["3301"], code="X-JW", name="假纪委", kind=UnitKind.DISCIPLINE)
    client.force_login(zj_organizer)
    client.post(f"/admin/units/unit/{unit.pk}/change/", {"name": unit.name, "kind": UnitKind.DISCIPLINE})
    unit.refresh_from_db()
    assert unit.kind == UnitKind.REGION


def test_organizer_cannot_relabel_discipline_away(zj_organizer, hz_discipline):
    from qingdan.units.services import unit_update

    with pytest.raises(PermissionDenied):
        unit_update(actor=zj_organizer, unit=hz_discipline, kind=UnitKind.DEPARTMENT)


def test_units_import_refuses_discipline_kind_for_organizer(zj_organizer, tree, hz_discipline):
    from qingdan.units.importers import units_import

    with pytest.raises(ImportRejected):
        units_import(actor=zj_organizer, source="编码,名称,上级编码,类型\n3301-X,新纪委,3301,discipline\n".encode())
    with pytest.raises(ImportRejected):
        units_import(actor=zj_organizer, source="编码,名称,上级编码,类型\n3301-JW,杭州市纪委监委,3301,department\n"
                     .encode())


def test_superuser_discipline_changes_are_audited_and_notified(superadmin, tree, hz_discipline, make_staff,
                                                               xh_handler):
    from qingdan.notifications.models import Notification
    from qingdan.units.services import unit_update

    watcher = make_staff("hz_jw", Role.SUPERVISOR, hz_discipline)
    unit_update(actor=superadmin, unit=tree["330106009"], kind=UnitKind.DISCIPLINE)
    assert AuditEntry.objects.filter(action="units.unit_updated", actor_id=superadmin.pk).exists()
    assert Notification.objects.filter(recipient=watcher, kind="unit.discipline_changed").exists()
    role_grant(actor=superadmin, user=xh_handler, role=Role.SUPERVISOR, unit=tree["330106009"])
    assert Notification.objects.filter(recipient=watcher, kind="unit.discipline_changed").count() == 2


def test_organizer_cannot_make_a_discipline_unit_through_the_api(client, zj_organizer, tree):
    _token, key = token_create(actor=zj_organizer, user=zj_organizer, name="t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    patched = client.patch("/api/v1/units/330106009", {"kind": "discipline"}, content_type="application/json",
                           **headers)
    assert patched.status_code == 403
    created = client.post("/api/v1/units/", {"parent": "3301", "code": "3301-FAKE", "name": "假纪委",
                                             "kind": "discipline"}, content_type="application/json", **headers)
    assert created.status_code == 403
    assert not Unit.objects.filter(kind=UnitKind.DISCIPLINE).exists()
