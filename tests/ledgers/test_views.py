"""Ledger pages: record a visit from the form, see coverage, scope keeps other counties out."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingdan.intake.models import Submission
from qingdan.ledgers.models import Visit
from qingdan.ledgers.services import liaison_assign, visit_record
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def login(client, user):
    client.force_login(user)
    return client


def test_record_a_visit_through_the_page(client, tree, lx_leader):
    login(client, lx_leader)
    assert client.get("/ledgers/visits/new/").status_code == 200
    response = client.post("/ledgers/visits/new/", {
        "unit": "330106009001", "visited_on": timezone.localdate().isoformat(), "households": 3,
        "enterprises": 0, "solved_on_spot": 1, "problems": "垃圾清运不及时\n路灯不亮", "route": "submission"})
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ledgers/visits/{visit.pk}/"
    assert Submission.objects.filter(channel="visit").count() == 2
    assert client.get(response["Location"]).status_code == 200


def test_a_future_visit_shows_an_error_and_saves_nothing(client, tree, lx_leader):
    login(client, lx_leader)
    response = client.post("/ledgers/visits/new/", {
        "unit": "330106009001", "visited_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "households": 3, "enterprises": 0, "solved_on_spot": 0, "problems": "路灯不亮", "route": "submission"})
    assert response.status_code == 200 and b'role="alert"' in response.content
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_coverage_page_and_dashboard(client, tree, lx_leader, zj_organizer):
    today = timezone.localdate()
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330106009"],
                   starts_on=today.replace(month=1, day=1))
    visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=today)
    login(client, lx_leader)
    page = client.get("/ledgers/coverage/?unit=330106009").content.decode()
    assert 'data-code="330106009001" class="visited"' in page
    assert 'data-code="330106009002" class="not-visited"' in page
    assert client.get("/ledgers/?unit=330106009").status_code == 200


def test_other_counties_are_out_of_scope(client, tree, lx_leader, bj_handler):
    visit = visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=timezone.localdate())
    login(client, bj_handler)
    assert client.get(f"/ledgers/visits/{visit.pk}/").status_code == 404
    assert client.get("/ledgers/coverage/?unit=330106009").status_code == 404


def test_a_superuser_and_a_wide_scope_get_units_to_choose(client, tree, xh_organizer):
    from qingdan.people.models import User

    admin = User.objects.create_superuser("root", "root@example.org", "x-very-long-password-1")
    client.force_login(admin)
    page = client.get("/ledgers/visits/new/").content.decode()
    assert 'value="330106009001"' in page and 'value="330108001"' in page
    client.force_login(xh_organizer)
    page = client.get("/ledgers/visits/new/?within=330106009").content.decode()
    assert 'value="330106009001"' in page and 'value="330108001"' not in page


def test_record_a_session_with_roll_and_photo_through_the_page(client, tree, lx_leader, make_staff):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from qingdan.ledgers.models import StudySession

    member = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    client.force_login(lx_leader)
    assert client.get("/ledgers/study/new/?unit=330106009").status_code == 200
    response = client.post("/ledgers/study/new/?unit=330106009", {
        "kind": "site_teaching", "topic": "红色教育现场教学", "starts_on": timezone.localdate().isoformat(),
        "duration": "0.5", "duration_unit": "days", "place": "革命纪念馆", "red_site": "on", "leadership": "on",
        f"att-{lx_leader.pk}": "present", f"att-{member.pk}": "absent",
        "photos": SimpleUploadedFile("合影.jpg", buffer.getvalue(), content_type="image/jpeg")})
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert session.red_site and session.photos.count() == 1
    assert sorted(session.attendances.values_list("status", flat=True)) == ["absent", "present"]
    assert client.get("/ledgers/study/").status_code == 200


def test_dashboard_shows_projects_and_survey_rates(client, tree, xh_organizer):
    import re

    from qingdan.dockets.services import docket_create, item_create
    from qingdan.surveys.services import question_add, response_submit, survey_create, survey_set_status

    docket = docket_create(actor=xh_organizer, name="民生实事", owner_unit=tree["330106"], kind="project",
                           source="public")
    for title in ("道路", "食堂"):
        item_create(actor=xh_organizer, docket=docket, title=title, lead_unit=tree["330106"])
    survey = survey_create(actor=xh_organizer, unit=tree["330106"], title="满意度")
    question = question_add(actor=xh_organizer, survey=survey, kind="single", text="满意吗", choices=["是", "否"],
                            good=[0])
    survey_set_status(actor=xh_organizer, survey=survey, status="open")
    for n, choice in enumerate(["0", "0", "1"]):
        response_submit(survey=survey, answers={question.pk: choice}, phone=f"1380000000{n}")
    client.force_login(xh_organizer)
    page = client.get("/ledgers/?unit=330106").content.decode()
    projects = re.search(r'id="project-figures">(.*?)</dl>', page, re.S).group(1)
    assert re.findall(r"<dd>(\d+)</dd>", projects) == ["2", "0", "2"]
    assert "66.7%" in re.search(r'id="survey-figures">(.*?)</dl>', page, re.S).group(1)


def _page_without(response, *words):
    """The page with what the request itself typed in, and the CSRF token, blanked out."""
    import re

    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    for word in words:
        text = text.replace(word, "WORD")
    return response.status_code, text


def test_a_liaison_form_cannot_tell_a_stranger_from_a_name_that_does_not_exist(client, tree, xh_organizer,
                                                                                bj_handler, xh_handler):
    """An organizer of 西湖区 probing user names: 滨江区's handler and a made-up name read the same."""
    from qingdan.ledgers.models import Liaison

    login(client, xh_organizer)
    form = {"unit": "330106009", "starts_on": timezone.localdate().isoformat()}
    stranger = client.post("/ledgers/liaisons/", {**form, "leader": "bj_handler"})
    nobody = client.post("/ledgers/liaisons/", {**form, "leader": "no_such_user"})
    assert not Liaison.objects.exists()  # the stranger was not assigned either
    assert stranger.status_code == 200 and b'role="alert"' in stranger.content
    assert _page_without(stranger, "bj_handler") == _page_without(nobody, "no_such_user")
    assert client.post("/ledgers/liaisons/", {**form, "leader": "xh_handler"}).status_code == 302
    assert Liaison.objects.get().leader == xh_handler


def test_a_research_topic_cannot_tell_a_stranger_from_a_name_that_does_not_exist(client, tree, lx_leader,
                                                                                  bj_handler):
    from qingdan.ledgers.models import ResearchTopic

    login(client, lx_leader)
    form = {"unit": "330106009", "title": "调研", "started_on": timezone.localdate().isoformat()}
    stranger = client.post("/ledgers/research/", {**form, "owners": "lx_leader, bj_handler"})
    nobody = client.post("/ledgers/research/", {**form, "owners": "lx_leader, no_such_user"})
    assert not ResearchTopic.objects.exists()
    assert stranger.status_code == 200 and b'role="alert"' in stranger.content
    assert _page_without(stranger, "bj_handler") == _page_without(nobody, "no_such_user")
    assert client.post("/ledgers/research/", {**form, "owners": "lx_leader"}).status_code == 302


def test_a_province_organizer_names_people_anywhere_below_it(client, tree, zj_organizer, bj_handler):
    from qingdan.ledgers.models import Liaison

    login(client, zj_organizer)
    response = client.post("/ledgers/liaisons/", {"unit": "330106009", "leader": "bj_handler",
                                                  "starts_on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and Liaison.objects.get().leader == bj_handler
