"""Other apps hear of a new submission only once it is committed, and never of a failed one."""

import pytest

from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.signals import submission_received

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    ids: list[int] = []

    def listener(sender, submission_id, **kwargs):
        ids.append(submission_id)

    submission_received.connect(listener)
    yield ids
    submission_received.disconnect(listener)


def test_sent_after_commit_with_the_new_id(submit, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = submit()
    assert heard == []  # not before the commit
    for callback in callbacks:
        callback()
    assert heard == [submission.pk]


def test_not_sent_for_a_rejected_submission(submit, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SubmissionInvalid):
        submit(text="!!!")
    assert heard == []


def test_not_sent_again_for_an_idempotent_repeat(submit, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(idempotency_key="abc")
        again = submit(idempotency_key="abc")
    assert first.pk == again.pk
    assert heard == [first.pk]
