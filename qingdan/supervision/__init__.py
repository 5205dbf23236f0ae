"""Figures, rates, the composite index, grades and leaderboards: how units are measured and ranked."""
