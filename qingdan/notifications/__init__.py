"""notify(): inbox rows, opt-in e-mail and signed webhooks, sent after commit."""
