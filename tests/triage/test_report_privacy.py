"""A report (举报) never reaches the accused through anything derived: hot issues, repeats, routing, dockets.

Written from the attacker's side of issue 12: file a report with a unique subject against 留下街道,
then ordinary messages in the same words, and look for a trace of it wherever 西湖区's people read.
"""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from qingdan.core.periods import period_containing
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.services import item_create, item_dispatch, item_draft, item_link_submissions
from qingdan.people.services import role_grant
from qingdan.reports.render import render
from qingdan.reports.weekly import weekly_build
from qingdan.triage.models import HotIssue, HotIssueKey, Triage
from qingdan.triage.routing import route_suggest
from qingdan.triage.services import hot_issues_purge_confidential
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

SECRET = "留下街道城管中队长王某收受商户红包"
SAME_WORDS = "留下街道城管中队长收受商户红包问题"


@pytest.fixture
def report(submit, tree):
    return submit(kind="report", subject=SECRET, text=f"{SECRET}，每月向沿街商户索要好处费。",
                  unit=tree["330106"], accused_unit=tree["330106009"], anonymous=True, name="", phone="")


@pytest.fixture
def ordinary(submit, tree, report):
    return [submit(subject=SAME_WORDS, text=f"{SAME_WORDS}，商户反映被索要好处费。", unit=tree["330106009"],
                   phone=f"1381234567{n}") for n in range(2)]


def test_a_report_never_opens_or_joins_a_hot_issue(report, ordinary):
    assert Triage.objects.get(submission=report).hot_issue is None
    issues = list(HotIssue.objects.all())
    assert len(issues) == 1 and issues[0].size == 2 and issues[0].submitters == 2
    assert issues[0].title == SAME_WORDS
    members = set(Triage.objects.filter(hot_issue=issues[0]).values_list("submission_id", flat=True))
    assert members == {s.pk for s in ordinary}


def test_the_report_leaves_no_trace_in_the_weekly_report_of_the_accused_county(report, ordinary, tree):
    from pypdf import PdfReader

    week = period_containing("week", timezone.localdate())
    built = weekly_build(unit=tree["330106"], week=week)
    assert [row["size"] for row in built.hot_issues] == [2]
    html = render(built, "html").decode()
    assert SAME_WORDS in html and "王某" not in html and SECRET not in html
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(render(built, "xlsx")))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "王某" not in cells
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render(built, "pdf"))).pages)
    assert "王某" not in pdf


def test_the_triage_panel_of_an_ordinary_message_counts_only_ordinary_messages(client, ordinary, tree,
                                                                               make_staff):
    handler = make_staff("lx_handler", Role.HANDLER, tree["330106009"])
    client.force_login(handler)
    page = client.get(reverse("triage:suggestion", args=[ordinary[0].tracking_code])).content.decode()
    assert "王某" not in page and SECRET not in page
    assert "2" in page  # two messages from two people, the report not among them


def test_an_answered_report_is_neither_a_repeat_nor_routing_history(submit, report, tree):
    report.status = "closed"
    report.save(update_fields=["status"])
    later = submit(subject=SAME_WORDS, text=f"{SAME_WORDS}，再次反映。", unit=tree["330106009"])
    assert Triage.objects.get(submission=later).repeat_of is None
    reasons = [r for s in route_suggest(submission=later) for r in s.reasons]
    assert not any("similar closed" in r or "类似" in r for r in reasons)


def test_reports_never_train_the_classifier(report, ordinary):
    from qingdan.triage.training import examples_from_database

    Triage.objects.filter(submission=report).update(corrected_category="城乡建设")
    report.status, report.category = "closed", "城乡建设"
    report.save(update_fields=["status", "category"])
    texts = " ".join(e.subject + e.text for e in examples_from_database())
    assert "王某" not in texts


def test_the_repair_rebuilds_issues_a_report_joined_and_deletes_those_it_alone_made(submit, tree, report,
                                                                                    ordinary):
    # The state before the fix: the report joined the ordinary issue and lent it its title,
    # and another report opened an issue of its own.
    issue = HotIssue.objects.get()
    Triage.objects.filter(submission=report).update(hot_issue=issue)
    HotIssue.objects.filter(pk=issue.pk).update(title=SECRET, size=3, submitters=3)
    alone = submit(kind="report", subject="西湖区某局长违规公车私用", text="周末开公车接送孩子。",
                   unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    own = HotIssue.objects.create(title=alone.subject, first_at=alone.created_at, last_at=alone.created_at,
                                  size=1, submitters=1, unit=tree["330106"])
    HotIssueKey.objects.create(issue=own, key=42)
    Triage.objects.filter(submission=alone).update(hot_issue=own)
    Triage.objects.filter(submission=ordinary[1]).update(repeat_of=report)

    assert hot_issues_purge_confidential() == 2
    issue.refresh_from_db()
    assert (issue.title, issue.size, issue.submitters) == (SAME_WORDS, 2, 2)
    assert not HotIssue.objects.filter(pk=own.pk).exists()
    assert not HotIssueKey.objects.filter(key=42).exists()
    assert Triage.objects.get(submission=ordinary[1]).repeat_of is None
    assert not Triage.objects.filter(submission__kind="report").exclude(hot_issue=None).exists()


def test_listing_a_report_copies_nothing_and_refuses_the_accused_subtree(report, docket, tree, hz_supervisor,
                                                                        make_item):
    assert item_draft(report) == {"submission": report.tracking_code}
    for accused_or_below in (tree["330106009"], tree["330106009001"]):
        with pytest.raises(ItemInvalid) as caught:
            item_create(actor=hz_supervisor, docket=docket, title="核查举报", lead_unit=accused_or_below,
                        submissions=[report])
        assert "lead_unit" in caught.value.fields
    item = item_create(actor=hz_supervisor, docket=docket, title="核查举报", lead_unit=tree["330106"],
                       submissions=[report])
    assert item.hot_issues.count() == 0
    with pytest.raises(ItemInvalid):  # nor handed down to the accused at dispatch
        item_dispatch(actor=hz_supervisor, item=item, lead_unit=tree["330106009"])
    led_by_accused = make_item(title="留下街道环境整治", lead_unit=tree["330106009"])
    with pytest.raises(ItemInvalid):  # nor linked to an item the accused leads
        item_link_submissions(actor=hz_supervisor, item=led_by_accused, submissions=[report])


def test_the_docket_form_is_not_prefilled_from_a_report(client, report, docket, tree, hz_supervisor, discipline):
    role_grant(actor="test", user=hz_supervisor, role=Role.SUPERVISOR, unit=discipline["hz"])
    client.force_login(hz_supervisor)
    page = client.get(reverse("dockets:docket", args=[docket.pk]), {"submission": report.tracking_code})
    body = page.content.decode()
    assert page.status_code == 200 and report.tracking_code in body
    assert "王某" not in body and 'value="330106009"' not in body
