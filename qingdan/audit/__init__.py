"""The hash-chained, append-only audit trail: each write records who did what, in the same transaction."""
