"""Staff accounts, role grants, API tokens and login lock-out: who someone is, not what they may see."""
