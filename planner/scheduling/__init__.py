"""scheduling feature package."""
