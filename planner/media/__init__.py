"""media feature package."""
