"""Plain text to minimal HTML, for channels that need HTML when no rendered version was supplied."""

from __future__ import annotations

import html


def text_to_html(text: str) -> str:
    """Blank lines separate paragraphs, single newlines become <br>; everything is escaped."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
    return "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )
