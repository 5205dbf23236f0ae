"""Signals of the units app, so that apps above it (notifications) act on its changes without units importing them."""

from django.dispatch import Signal

# Sent when rights over a unit changed in a way its discipline body must hear of (a unit made or
# unmade a discipline body, a role granted on one): recipients, kind, title, body, unit, actor_name.
rights_changed = Signal()
