"""Signals other apps listen to, so intake never imports them (triage and dockets build on intake).

``submission_received`` is sent after the transaction that stored a new submission commits,
with ``submission_id``: listeners enqueue their own background work (classify, group, route).
"""

from django.dispatch import Signal

submission_received = Signal()

# Sent inside the rating's transaction with ``submission_id``, ``rating`` (the satisfaction) and
# ``rating_id`` (the ``Rating`` row): the figures that count the rating commit or fail together
# with it. The loop's reopening is no listener: ``dockets.services.submission_rate`` calls it.
submission_rated = Signal()
