"""Classify, locate, group into hot issues and suggest a route for each submission, offline."""
