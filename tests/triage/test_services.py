"""A new submission is triaged on arrival; operators correct; hot issues grow; repeats are flagged."""

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import NotFound
from qingdan.triage.errors import UnknownCategory
from qingdan.triage.models import HotIssue, Triage
from qingdan.triage.services import triage_correct, triage_submission
from qingdan.triage.training import examples_from_database
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

SMOKE = "杭州市西湖区留下街道小和山社区门口的饭店油烟很大，晚上噪音扰民，居民无法休息，请尽快处理。"


def test_classified_located_and_grouped_on_arrival(submit, tree):
    submission = submit(subject="饭店油烟噪音扰民", text=SMOKE)
    triage = Triage.objects.get(submission=submission)
    assert triage.category in {"环境保护", "城乡建设", "商贸旅游"}
    assert triage.confidence > 0
    assert triage.reasons
    assert triage.place_code == "330106009005"
    assert triage.place_unit == tree["330106009"]  # 小和山社区's real code is not in the test tree
    assert triage.hot_issue is not None
    assert triage.hot_issue.size == 1
    assert triage.hot_issue.unit == tree["330106009"]


def test_an_unlocated_hot_issue_belongs_to_the_holding_unit(submit, tree):
    submission = submit(subject="噪音扰民", text="楼下饭店晚上噪音很大。", unit=tree["330108"])
    triage = Triage.objects.get(submission=submission)
    assert triage.place_code == ""
    assert triage.hot_issue.unit == tree["330108"]


def test_triage_is_idempotent(submit):
    submission = submit()
    first = Triage.objects.get(submission=submission)
    assert triage_submission(submission_id=submission.pk).pk == first.pk
    assert Triage.objects.filter(submission=submission).count() == 1
    assert triage_submission(submission_id=999_999) is None


def test_similar_messages_from_different_people_join_one_hot_issue(submit):
    a = submit(subject="饭店油烟噪音扰民", text=SMOKE, phone="13800000001")
    b = submit(subject="小和山社区饭店油烟噪音",
               text="西湖区留下街道小和山社区门口饭店油烟大、噪音扰民，居民无法休息，请处理。", phone="13800000002")
    c = submit(subject="学校乱收费", text="孩子所在的小学要求家长缴纳补课费和资料费，请教育局查处。",
               phone="13800000003")
    ta, tb, tc = (Triage.objects.get(submission=s) for s in (a, b, c))
    assert ta.hot_issue_id == tb.hot_issue_id != tc.hot_issue_id
    issue = HotIssue.objects.get(pk=ta.hot_issue_id)
    assert issue.size == 2
    assert issue.submitters == 2
    assert issue.heat > HotIssue.objects.get(pk=tc.hot_issue_id).heat
    assert tb.similarity >= 0.5


def test_same_person_twice_counts_once(submit):
    submit(subject="饭店油烟噪音扰民", text=SMOKE)
    submit(subject="饭店油烟噪音扰民", text=SMOKE + "还是没人管。")
    issue = HotIssue.objects.get()
    assert (issue.size, issue.submitters) == (2, 1)


def test_a_repeat_of_an_answered_submission_is_flagged(submit):
    first = submit(subject="饭店油烟噪音扰民", text=SMOKE, phone="13800000001")
    first.status = "replied"
    first.save(update_fields=["status", "updated_at"])
    again = submit(subject="饭店油烟噪音扰民", text=SMOKE, phone="13800000002")
    assert Triage.objects.get(submission=again).repeat_of == first


def test_empty_grouping_text_gets_no_issue(submit, tree):
    # intake refuses text without content, so call the service on a stored row directly
    submission = submit()
    Triage.objects.filter(submission=submission).delete()
    type(submission).objects.filter(pk=submission.pk).update(subject="", text="")
    triage = triage_submission(submission_id=submission.pk)
    assert triage.category == ""
    assert triage.hot_issue is None


def test_correction_is_audited_and_feeds_training(submit, tree, make_staff):
    submission = submit()
    operator = make_staff("op", Role.OPERATOR, tree["330106"])
    triage = triage_correct(actor=operator, submission=submission, category="环境保护")
    assert triage.label == "环境保护"
    entry = AuditEntry.objects.filter(action="triage.category_corrected").get()
    assert entry.after == {"corrected_category": "环境保护"}
    examples = examples_from_database()
    assert [(e.subject, e.label) for e in examples] == [(submission.subject, "环境保护")]


def test_correction_refuses_unknown_category_and_outsiders(submit, tree, make_staff):
    submission = submit()
    operator = make_staff("op", Role.OPERATOR, tree["330106"])
    with pytest.raises(UnknownCategory):
        triage_correct(actor=operator, submission=submission, category="不存在")
    outsider = make_staff("bj", Role.OPERATOR, tree["330108"])
    with pytest.raises(NotFound):
        triage_correct(actor=outsider, submission=submission, category="环境保护")


def test_backfill_triages_what_has_no_triage(submit):
    from django.core.management import call_command

    submission = submit()
    Triage.objects.filter(submission=submission).delete()
    call_command("triage", "backfill")
    assert Triage.objects.filter(submission=submission).exists()


def test_backfill_takes_the_oldest_first_up_to_its_limit_and_runs_on_the_worker(submit, tree):
    import io

    from django.core.management import call_command

    from qingdan.intake.importers import submissions_import
    from qingdan.triage.services import triage_backfill

    already = submit()
    rows = "\n".join(f"{n},U{n},路灯不亮{n},小区门口路灯坏了{n}天。,2019-08-0{n} 10:00:00" for n in range(1, 5))
    result = submissions_import(actor="test", source=f"留言编号,留言用户,留言主题,留言详情,留言时间\n{rows}\n".encode(),
                                name="board.csv", unit=tree["330106"])
    assert result.created == 4
    assert Triage.objects.count() == 1  # an import sends no signal per row
    assert triage_backfill(limit=2) == 2
    triaged = set(Triage.objects.values_list("submission__subject", flat=True))
    assert triaged == {already.subject, "路灯不亮1", "路灯不亮2"}  # the oldest two, by the messages' own time
    out = io.StringIO()
    call_command("triage", "backfill", "--enqueue", stdout=out)  # the worker (immediate in tests) does the rest
    assert "enqueued triage backfill" in out.getvalue()
    assert Triage.objects.count() == 5
    assert triage_backfill() == 0
