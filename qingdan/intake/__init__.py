"""Submissions from every channel, with tracking codes, privacy masking and the rule for reports on officials."""
