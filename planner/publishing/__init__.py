"""publishing feature package."""
