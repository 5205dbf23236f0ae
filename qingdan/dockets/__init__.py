"""Campaigns, dockets (清单) and their items (事项): the loop from dispatch to verified close-out."""
