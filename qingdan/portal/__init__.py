"""The citizens' pages: submit without an account, track by code, rate the answer."""
