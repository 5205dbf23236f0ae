"""A study session's page: its roll and photos in scope, 补学 afterwards, 「全部出席」 in one step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from qingdan.audit.models import AuditEntry
from qingdan.ledgers.models import SessionAttendance
from qingdan.ledgers.services import Attendee, session_record
from qingdan.units.choices import Role
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree, make_staff):
    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    member = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    late = make_staff("lx_late", Role.HANDLER, tree["330106009001"])
    return leader, member, late


@pytest.fixture
def session(tree, people):
    leader, member, _late = people
    return session_record(actor=leader, unit=tree["330106009"], kind="group_study", topic="学习条例",
                          starts_on=timezone.localdate() - datetime.timedelta(days=3), place="村委会",
                          attendees=[Attendee(person=leader), Attendee(person=member, status="absent")],
                          photos=[("合影.png", png_bytes())])


def test_the_page_shows_the_roll_the_figures_and_photo_thumbnails(client, session, people):
    leader = people[0]
    client.force_login(leader)
    page = client.get(f"/ledgers/study/{session.pk}/").content.decode()
    assert "学习条例" in page and "留下街道" in page and "村委会" in page
    assert re.search(r'id="studied">1 / 2<', page)
    photo = session.photos.get()
    src = f"/ledgers/study/{session.pk}/photos/{photo.pk}/"
    assert f'src="{src}"' in page and 'class="thumb"' in page
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # the list leads to the page
    assert f'href="/ledgers/study/{session.pk}/"' in client.get("/ledgers/study/").content.decode()


def test_another_county_sees_neither_the_session_nor_its_photo(client, session, bj_handler):
    client.force_login(bj_handler)
    photo = session.photos.get()
    assert client.get(f"/ledgers/study/{session.pk}/").status_code == 404
    assert client.get(f"/ledgers/study/{session.pk}/photos/{photo.pk}/").status_code == 404
    member_row = session.attendances.get(status="absent")
    response = client.post(f"/ledgers/study/{session.pk}/make-up/", {"attendance": member_row.pk,
                                                                    "made_up_on": timezone.localdate().isoformat()})
    assert response.status_code == 404
    assert client.post(f"/ledgers/study/{session.pk}/all-present/").status_code == 404
    assert session.attendances.get(pk=member_row.pk).status == "absent" and session.attendances.count() == 2


def test_make_up_study_after_the_session_updates_the_figures_and_is_audited(client, session, people):
    leader, member, _late = people
    client.force_login(leader)
    row = session.attendances.get(person=member)
    today = timezone.localdate()
    response = client.post(f"/ledgers/study/{session.pk}/make-up/", {"attendance": row.pk,
                                                                    "made_up_on": today.isoformat()}, follow=True)
    row.refresh_from_db()
    assert row.status == "made_up" and row.made_up_on == today
    page = response.content.decode()
    assert re.search(r'id="studied">2 / 2<', page) and 'class="flash success"' in page
    assert AuditEntry.objects.filter(action="ledgers.study_made_up").count() == 1
    listed = client.get("/ledgers/study/").content.decode()
    assert "2 / 2" in listed


@pytest.mark.parametrize("made_up_on", ["", "not-a-date", "past", "future"])
def test_make_up_on_a_wrong_date_is_refused_and_changes_nothing(client, session, people, made_up_on):
    leader, member, _late = people
    client.force_login(leader)
    row = session.attendances.get(person=member)
    value = {"past": (session.starts_on - datetime.timedelta(days=1)).isoformat(),
             "future": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}.get(made_up_on, made_up_on)
    response = client.post(f"/ledgers/study/{session.pk}/make-up/", {"attendance": row.pk, "made_up_on": value},
                           follow=True)
    assert 'class="flash error" role="alert"' in response.content.decode()
    row.refresh_from_db()
    assert row.status == "absent" and row.made_up_on is None
    assert not AuditEntry.objects.filter(action="ledgers.study_made_up").exists()


def test_a_present_person_or_another_sessions_row_cannot_be_made_up(client, tree, session, people):
    leader, member, _late = people
    client.force_login(leader)
    present = session.attendances.get(person=leader)
    other = session_record(actor=leader, unit=tree["330106009"], kind="seminar", topic="另一次",
                           starts_on=session.starts_on, attendees=[Attendee(person=member, status="absent")])
    foreign = other.attendances.get()
    today = timezone.localdate().isoformat()
    for row in (present, foreign):
        response = client.post(f"/ledgers/study/{session.pk}/make-up/", {"attendance": row.pk, "made_up_on": today},
                               follow=True)
        assert 'class="flash error"' in response.content.decode()
    assert SessionAttendance.objects.filter(status="made_up").count() == 0


def test_mark_all_present_adds_the_unrecorded_and_keeps_recorded_absences(client, session, people):
    leader, _member, late = people
    client.force_login(leader)
    page = client.get(f"/ledgers/study/{session.pk}/").content.decode()
    assert 'id="all-present"' in page and "lx_late" in page
    response = client.post(f"/ledgers/study/{session.pk}/all-present/", follow=True)
    statuses = dict(session.attendances.values_list("person__username", "status"))
    assert statuses == {"lx_leader": "present", "lx_member": "absent", "lx_late": "present"}
    assert 'class="flash success"' in response.content.decode()
    assert 'id="all-present"' not in response.content.decode()
    event = AuditEntry.objects.get(action="ledgers.session_all_present")
    assert event.after == {"present": [late.pk]}
    again = client.post(f"/ledgers/study/{session.pk}/all-present/", follow=True)
    assert 'class="flash info"' in again.content.decode() and session.attendances.count() == 3
    assert AuditEntry.objects.filter(action="ledgers.session_all_present").count() == 1


def test_the_new_session_form_can_start_with_everyone_present(client, tree, people):
    leader, member, _late = people
    client.force_login(leader)
    plain = client.get("/ledgers/study/new/?unit=330106009").content.decode()
    assert "selected" not in re.search(rf'name="att-{member.pk}">(.*?)</select>', plain, re.S).group(1)
    assert 'id="preset-all-present"' in plain
    preset = client.get("/ledgers/study/new/?unit=330106009&all=present").content.decode()
    for person in people:
        options = re.search(rf'name="att-{person.pk}">(.*?)</select>', preset, re.S).group(1)
        assert '<option value="present" selected>' in options
