"""Shared by every app, above none: errors, stored and tabular files, periods, crypto, workdays, middleware."""
