"""Every change to an item is told to listeners with before and after, inside its transaction."""

import pytest

from qingdan.dockets.errors import TransitionRefused
from qingdan.dockets.services import item_accept, item_dispatch
from qingdan.dockets.signals import item_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    seen = []

    def listener(sender, item, action, before, after, **kwargs):
        seen.append((action, before and before["status"], after["status"], after["lead_unit_path"]))

    item_changed.connect(listener)
    yield seen
    item_changed.disconnect(listener)


def test_changes_are_told_with_before_and_after(make_item, hz_operator, xh_handler, heard, tree):
    item = make_item()
    item = item_dispatch(actor=hz_operator, item=item)
    with pytest.raises(TransitionRefused):
        item_dispatch(actor=hz_operator, item=item)  # refused: nothing is told
    item_accept(actor=xh_handler, item=item)
    path = tree["330106"].path
    assert heard == [("item_listed", None, "listed", path), ("item_dispatched", "listed", "dispatched", path),
                     ("item_accepted", "dispatched", "accepted", path)]
