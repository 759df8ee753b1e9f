"""Real image files for publisher tests: the adapters read sizes and hashes from the bytes."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from planner.publishing.ports import MediaItem


def encoded(width: int, height: int, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 90, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def image(
    alt: str = "Wethouder knipt het lint door bij de nieuwe bibliotheek",
    *,
    width: int = 1200,
    height: int = 675,
    fmt: str = "PNG",
    url: str | None = None,
) -> MediaItem:
    data = encoded(width, height, fmt)
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    digest = hashlib.sha256(data).hexdigest()
    return MediaItem(
        alt=alt,
        mime=mime,
        sha256=digest,
        loader=lambda: data,
        url=url or f"https://planner.example.nl/media/public/{digest}.jpg",
        filename=f"{digest[:12]}.{fmt.lower()}",
    )
