"""The organisation that uses this installation: its name, timezone and house settings."""
