"""Signals other apps listen to, so intake never imports them (triage and dockets build on intake).

``submission_received`` is sent after the transaction that stored a new submission commits,
with ``submission_id``: listeners enqueue their own background work (classify, group, route).
"""

from django.dispatch import Signal

submission_received = Signal()

# Sent inside the rating's transaction with ``submission_id`` and ``rating``: a listener that
# reopens the item an unhappy citizen rated commits or fails together with the rating.
submission_rated = Signal()
