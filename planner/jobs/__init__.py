"""jobs feature package."""
