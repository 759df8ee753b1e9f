"""channels feature package."""
