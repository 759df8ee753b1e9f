"""fragments feature package."""
