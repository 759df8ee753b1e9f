"""Who did what: an append-only log admins can read."""
