"""The starter styles shipped with the package (Zuiderhaven in Dutch, and English): where they are.

Every organisation's configuration starts from one of these (planner.brand.services), and
`planner check` falls back to them when a project has no .vale.ini of its own.
"""

from __future__ import annotations

from pathlib import Path

#: Folder of the starter styles shipped with the package (Zuiderhaven, English) and their .vale.ini.
STARTER_STYLES = Path(__file__).resolve().parent / "styles"


def starter_config_path(language: str = "nl") -> Path:
    """The .vale.ini of a starter style: "nl" (Zuiderhaven) or "en" (English)."""
    return STARTER_STYLES / (".vale.ini" if language == "nl" else "english.vale.ini")
