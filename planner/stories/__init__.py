"""stories feature package."""
