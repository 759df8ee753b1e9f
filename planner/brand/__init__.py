"""Brand feature package: the pure check engine, starter styles and `planner check`."""

from __future__ import annotations

from pathlib import Path

#: Folder of the starter styles shipped with the package (Zuiderhaven, English) and their .vale.ini.
STARTER_STYLES = Path(__file__).resolve().parent / "styles"


def starter_config_path(language: str = "nl") -> Path:
    """The .vale.ini of a starter style: "nl" (Zuiderhaven) or "en" (English)."""
    return STARTER_STYLES / (".vale.ini" if language == "nl" else "english.vale.ini")
