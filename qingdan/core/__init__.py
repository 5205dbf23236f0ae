"""Shared by every app, above none: errors, stored files, tabular files, crypto, workdays, middleware, bulk writes."""
