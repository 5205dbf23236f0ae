"""On a phone: a township leader records a visit with a photo and a problem found; the problem is in the
intake queue and the village counts as visited. A citizen answers a questionnaire twice with one token.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from qingdan.units.choices import Role
from tests.browser.conftest import jpeg_file, loaded_width, log_in, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def phone(phone_page):
    phone_page.set_default_timeout(20_000)
    return phone_page


@pytest.fixture
def photo(tmp_path):
    return jpeg_file(tmp_path / "走访.jpg", (800, 600), "blue")


def test_township_leader_records_a_visit_on_a_phone(phone, live_server, tree, make_staff, photo):
    from qingdan.intake.models import Submission
    from qingdan.ledgers.models import Visit
    from qingdan.ledgers.services import liaison_assign

    organizer = make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])
    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    liaison_assign(actor=organizer, leader=leader, unit=tree["330106009"],
                   starts_on=timezone.localdate() - datetime.timedelta(days=60))
    page = phone
    log_in(page, live_server, "lx_leader")

    page.goto(f"{live_server.url}/ledgers/visits/new/")
    assert page.get_by_role("heading", name="登记走访").is_visible()
    assert no_sideways_scroll(page)
    assert page.locator("#id_unit").input_value() == "留下街道"  # the leader's liaison unit, by default
    page.locator("#id_unit").fill("留下村")  # typed by name (the picker suggests from the scope)
    page.locator("#id_households").fill("15")
    page.locator("#id_enterprises").fill("2")
    page.locator("#id_heard").fill("村民普遍反映村口道路破损。")
    page.locator("#id_solved_on_spot").fill("1")
    page.locator("#id_problems").fill("村口道路破损，雨天积水，老人出行不便。")
    page.locator("#id_photos").set_input_files(str(photo))
    page.locator("form.visit button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ledgers/visits/\d+/$"))
    assert no_sideways_scroll(page)
    visit = Visit.objects.get()
    assert visit.households == 15 and visit.photos.count() == 1
    submission = Submission.objects.get(channel="visit")
    assert page.locator("#problems").get_by_text(submission.tracking_code).is_visible()
    assert loaded_width(page.locator("img").first) == 800  # the photo is served back

    page.goto(f"{live_server.url}/desk/submissions/")
    assert page.get_by_text(submission.subject).first.is_visible()

    page.goto(f"{live_server.url}/ledgers/coverage/?unit=330106009")
    assert page.locator('tr[data-code="330106009001"]').get_attribute("class") == "visited"
    assert page.locator('tr[data-code="330106009002"]').get_attribute("class") == "not-visited"
    assert "1" in page.locator("#coverage-total").inner_text()
    page.goto(f"{live_server.url}/ledgers/?unit=330106009")
    assert page.locator("#fig-villages").inner_text() == "1"
    assert page.locator("#fig-coverage").inner_text().startswith("1 / 2")


def test_a_future_visit_is_refused_on_the_phone(phone, live_server, tree, make_staff):
    from qingdan.ledgers.models import Visit

    make_staff("lx_leader", Role.LEADER, tree["330106009"])
    page = phone
    log_in(page, live_server, "lx_leader")
    page.goto(f"{live_server.url}/ledgers/visits/new/")
    page.locator("#id_unit").fill("留下村")  # no liaison: nothing is chosen for them
    page.locator("#id_visited_on").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    page.locator("#id_problems").fill("路灯不亮")
    page.locator("form.visit button[type=submit]").click()
    page.get_by_role("alert").first.wait_for()
    assert not Visit.objects.exists()


def test_a_citizen_answers_twice_with_one_token_and_counts_once(phone, live_server, tree, make_staff):
    from qingdan.surveys.choices import Identity, QuestionKind, SurveyStatus
    from qingdan.surveys.models import Response
    from qingdan.surveys.services import question_add, survey_create, survey_set_status, tokens_issue

    organizer = make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])
    survey = survey_create(actor=organizer, unit=tree["330106"], title="办事满意度", identity=Identity.TOKEN)
    question_add(actor=organizer, survey=survey, kind=QuestionKind.SINGLE, text="您对办事结果满意吗？",
                 choices=["满意", "基本满意", "不满意"], good=[0, 1])
    survey_set_status(actor=organizer, survey=survey, status=SurveyStatus.OPEN)
    token = tokens_issue(actor=organizer, survey=survey, count=1)[0].token
    page = phone
    for choice in ("满意", "不满意"):
        page.goto(f"{live_server.url}/s/{survey.slug}/?t={token}")
        assert no_sideways_scroll(page)
        page.get_by_label(choice, exact=True).check()
        page.locator("form.survey button[type=submit]").click()
        page.get_by_role("heading", level=1).wait_for()
        page.wait_for_load_state()
    assert page.locator("#already").is_visible()
    assert Response.objects.count() == 1
    assert Response.objects.get().answers.get().chosen == [0]


def test_a_session_is_recorded_on_a_phone_with_a_photo(phone, live_server, tree, make_staff, photo):
    from qingdan.ledgers.models import StudySession

    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    member = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    page = phone
    log_in(page, live_server, "lx_leader")
    page.goto(f"{live_server.url}/ledgers/study/new/?unit=330106009")
    assert page.get_by_role("heading", name=re.compile("登记学习活动")).is_visible()
    assert no_sideways_scroll(page)
    page.locator("#id_kind").select_option("site_teaching")
    page.locator("#id_topic").fill("红色教育现场教学")
    page.locator("#id_place").fill("革命纪念馆")
    page.locator("#id_red_site").check()
    page.locator(f"select[name=att-{leader.pk}]").select_option("present")
    page.locator(f"select[name=att-{member.pk}]").select_option("absent")
    page.locator("#id_photos").set_input_files(str(photo))
    page.locator("form.session button[type=submit]").click()
    page.wait_for_url(re.compile(r"/ledgers/study/\?unit=330106009$"))
    session = StudySession.objects.get()
    assert session.red_site and session.photos.count() == 1 and session.attendances.count() == 2
    assert page.get_by_text("红色教育现场教学").is_visible()


def test_after_a_session_a_phone_records_a_make_up_and_marks_the_rest_present(phone, live_server, tree, make_staff,
                                                                              photo):
    """The list leads to the session; 补学 for the absent one, 「全部出席」 for the one not on the roll yet."""
    from qingdan.ledgers.services import Attendee, session_record

    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    absent = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    make_staff("lx_late", Role.HANDLER, tree["330106009001"])
    session = session_record(actor=leader, unit=tree["330106009"], kind="group_study", topic="学习条例",
                             starts_on=timezone.localdate() - datetime.timedelta(days=2),
                             attendees=[Attendee(person=leader), Attendee(person=absent, status="absent")],
                             photos=[("合影.jpg", photo.read_bytes())])
    page = phone
    log_in(page, live_server, "lx_leader")
    page.goto(f"{live_server.url}/ledgers/study/")
    page.get_by_role("link", name="学习条例").click()
    page.wait_for_url(re.compile(rf"/ledgers/study/{session.pk}/$"))
    assert no_sideways_scroll(page)
    assert page.locator("#studied").inner_text() == "1 / 2"
    assert loaded_width(page.locator("img.thumb").first) == 800
    page.locator("form.make-up button").click()
    page.get_by_role("status").first.wait_for()
    assert "✓" in page.locator(".flash.success").inner_text()
    assert page.locator("#studied").inner_text() == "2 / 2"
    page.locator("#all-present button").click()
    page.locator(".flash.success").wait_for()
    assert page.locator("#studied").inner_text() == "3 / 3" and page.locator("#all-present").count() == 0
    assert dict(session.attendances.values_list("person__username", "status")) == {
        "lx_leader": "present", "lx_member": "made_up", "lx_late": "present"}


def test_an_organizer_prints_the_survey_poster(page, live_server, tree, make_staff):
    from qingdan.surveys.services import question_add, survey_create, survey_set_status

    organizer = make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])
    survey = survey_create(actor=organizer, unit=tree["330106009"], title="窗口服务评价")
    question_add(actor=organizer, survey=survey, kind="single", text="满意吗", choices=["是", "否"], good=[0])
    survey_set_status(actor=organizer, survey=survey, status="open")
    log_in(page, live_server, "xh_organizer")
    page.goto(f"{live_server.url}/surveys/{survey.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="PNG").click()
    assert download.value.suggested_filename.endswith(".png")
    page.get_by_role("link", name=re.compile("打印海报")).click()
    page.wait_for_url(re.compile(rf"/surveys/{survey.pk}/poster/$"))
    assert page.get_by_role("heading", name="窗口服务评价").is_visible()
    assert loaded_width(page.locator(".poster-qr")) > 0
    page.emulate_media(media="print")
    assert not page.locator(".poster-tools").is_visible()  # the tools never print
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one sheet
