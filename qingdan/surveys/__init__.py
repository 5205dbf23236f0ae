"""Questionnaires and the follow-up (回访): one answer per token or phone, rates, results and export."""
