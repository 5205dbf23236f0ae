"""The ledgers (台账) campaigns count: study sessions, liaison, field visits, research, village coverage."""
