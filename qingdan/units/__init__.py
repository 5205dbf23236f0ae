"""The unit tree, roles and scopes: who sees what and who may manage whom; the calendar pages."""
