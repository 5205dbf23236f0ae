"""The Content-Security-Policy in a real browser: a citizen and a staff member walk the main pages,
Chromium reports no violation, and the behaviour that used to be inline script still works (the
place search on Enter, Ctrl+Enter on the desk, the period picker, the charts, Swagger UI).
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from qingdan.units.choices import Role
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any script of every page: every violation the browser reports goes to the console.
WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP-VIOLATION " + e.effectiveDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


class Watched:
    """A browser context whose pages report every CSP violation (the event and Chromium's own message)."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, **options)
        self.context.add_init_script(WATCH)
        self.violations: list[str] = []
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text:
            self.violations.append(f"{self.page.url}: {text}")

    def visit(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(250)  # htmx's "load" requests and late violation reports

    def inline_script_runs(self) -> bool:
        """Tell whether an injected inline script runs (it must not); forget the report it causes."""
        ran = self.page.evaluate("""() => { const s = document.createElement("script");
            s.textContent = "window.__injected = true"; document.body.appendChild(s); return !!window.__injected; }""")
        self.page.wait_for_timeout(100)
        reported = [v for v in self.violations if "script-src" in v]
        self.violations = [v for v in self.violations if "script-src" not in v]
        return ran or not reported


def test_no_csp_violation_and_the_scripts_still_work(browser, live_server, tree, make_staff):
    from qingdan.dockets.services import docket_create, docket_publish, item_create, item_dispatch
    from qingdan.intake.models import Submission
    from qingdan.people.models import User
    from qingdan.surveys.choices import Identity, QuestionKind, SurveyStatus
    from qingdan.surveys.services import question_add, survey_create, survey_set_status

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    organizer = make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])
    root = User.objects.create_superuser("root", password=PASSWORD, display_name="root", home_unit=tree["33"])
    docket = docket_create(actor=supervisor, name="杭州市民生问题清单", owner_unit=tree["3301"], source="public")
    docket_publish(actor=supervisor, docket=docket, published=True)
    item = item_create(actor=operator, docket=docket, title="留下街道污水管网改造", lead_unit=tree["330106"],
                       commitment="年底前完成", deadline=datetime.date.today() + datetime.timedelta(days=60),
                       published=True)
    item_dispatch(actor=operator, item=item)
    survey = survey_create(actor=organizer, unit=tree["330106"], title="办事满意度", identity=Identity.PHONE)
    question_add(actor=organizer, survey=survey, kind=QuestionKind.SINGLE, text="您满意吗？",
                 choices=["满意", "不满意"], good=[0])
    survey_set_status(actor=organizer, survey=survey, status=SurveyStatus.OPEN)
    base = live_server.url

    # A citizen: the form's live place search, fired by Enter (was an inline hx-on handler).
    citizen = Watched(browser)
    page = citizen.page
    citizen.visit(f"{base}/submit/")
    assert not citizen.inline_script_runs()  # the policy is enforced, not merely sent
    page.get_by_label("投诉").check()
    page.get_by_label("请描述问题").fill("小和山社区门口的路灯坏了一个月。")
    page.get_by_label("地点：搜索街道").fill("小和山")
    page.get_by_label("地点：搜索街道").press("Enter")
    page.get_by_role("radio", name=re.compile("小和山社区")).check()
    assert page.url == f"{base}/submit/"  # Enter searched; it did not send the form
    page.get_by_label("匿名提交").check()
    page.locator("form.submission").get_by_role("button", name="提交").last.click()
    page.wait_for_url(re.compile(r"/submit/received/"))
    code = Submission.objects.get().tracking_code
    for path in ("/track/", f"/track/{code}/", "/public/", f"/public/lists/{docket.pk}/",
                 f"/public/items/{item.pk}/", f"/s/{survey.slug}/", "/accounts/login/"):
        citizen.visit(base + path)
        assert page.locator("h1").first.is_visible(), path
    assert citizen.violations == [], "\n".join(citizen.violations)
    citizen.context.close()

    # Staff: the main pages, with htmx, charts, the admin and the API's Swagger UI.
    staff = Watched(browser)
    page = staff.page
    staff.visit(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill("root")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    assert not staff.inline_script_runs()
    for path in ("/", "/units/330106/", "/dockets/", "/dockets/lists/", "/dockets/lists/new/",
                 f"/dockets/lists/{docket.pk}/", f"/dockets/items/{item.pk}/", "/desk/submissions/",
                 f"/desk/submissions/{code}/", "/inbox/", "/ledgers/",
                 "/ledgers/visits/new/", "/ledgers/study/", "/ledgers/coverage/", "/surveys/",
                 f"/surveys/{survey.pk}/", f"/surveys/{survey.pk}/poster/", "/calendar/",
                 "/supervision/units/3301/leaderboard/",
                 "/supervision/units/3301/leaderboard/?print=1", "/admin/", "/admin/people/user/",
                 f"/admin/people/user/{root.pk}/change/", "/admin/units/unit/"):
        staff.visit(base + path)
        assert page.locator("h1").first.is_visible(), path

    # The weekly report's own <style> applies (its hash is in the policy), nothing else inline.
    staff.visit(f"{base}/reports/weekly/3301/?format=html")
    assert page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse") == "collapse"

    # The dashboard: charts drawn by the static script, a tooltip on hover, the period picker.
    staff.visit(f"{base}/supervision/units/3301/")
    assert page.locator("#chart-trend canvas").count() == 1
    assert page.locator("#chart-children canvas").count() == 1
    box = page.locator("#chart-trend").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)
    period = page.locator("select[name=period]")
    other = period.locator("option").nth(1).get_attribute("value")
    period.select_option(other)
    page.wait_for_url(re.compile(rf"\?period={re.escape(other)}"))
    assert page.locator("#chart-trend canvas").count() == 1

    # The desk: Ctrl+Enter in the text box sends the form (was an inline hx-on handler).
    staff.visit(f"{base}/desk/")
    page.locator("#id_subject").fill("楼道灯坏了")
    page.locator("#id_text").fill("三单元楼道灯坏了。")
    page.locator("#id_unit_q").fill("留下街道")
    page.locator("#unit-choices").get_by_text("留下街道").first.click()
    page.locator("#id_anonymous").check()
    page.locator("#id_text").press("Control+Enter")
    page.wait_for_url(re.compile(r"/desk/\?.*saved="))
    assert Submission.objects.filter(subject="楼道灯坏了").exists()

    # Swagger UI loads its own local assets and draws the operations.
    staff.visit(f"{base}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("qingdan API")
    assert page.locator(".opblock").count() > 10
    page.wait_for_timeout(300)

    assert staff.violations == [], "\n".join(staff.violations)
    staff.context.close()
