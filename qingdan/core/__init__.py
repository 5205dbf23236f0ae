"""What every app shares and nothing above it: errors, tabular files, workdays, middleware, bulk writes."""
