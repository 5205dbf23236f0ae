"""An item answering submissions answers the hot issues triage grouped them into."""

import pytest

from qingdan.dockets.services import item_create, item_link_submissions

pytestmark = pytest.mark.django_db


def test_listing_and_linking_submissions_links_their_hot_issues(docket, tree, hz_operator,
                                                              django_capture_on_commit_callbacks):
    from qingdan.intake.services import submission_create
    from qingdan.triage.selectors import triage_for_submission

    def submit(text):
        with django_capture_on_commit_callbacks(execute=True):
            submission, _ = submission_create(actor=None, channel="web", kind="complaint", subject="饭店油烟扰民",
                                              text=text, unit=tree["330106009"], name="", phone="", anonymous=True)
        return submission

    first = submit("留下街道某饭店油烟直排，噪音很大，影响居民休息。")
    hot = triage_for_submission(first).hot_issue
    assert hot is not None
    item = item_create(actor=hz_operator, docket=docket, title="饭店油烟扰民", lead_unit=tree["330106"],
                       submissions=[first])
    assert list(item.hot_issues.all()) == [hot]
    second = submit("留下街道那家饭店的油烟还是直排，晚上噪音也很大。")
    item_link_submissions(actor=hz_operator, item=item, submissions=[second])
    expected = {hot.pk, triage_for_submission(second).hot_issue_id}
    assert set(item.hot_issues.values_list("pk", flat=True)) == expected
