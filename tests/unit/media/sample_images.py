"""Images drawn inside the tests: photos with GPS EXIF, damaged files, header-only giants."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image, ImageDraw

GPS_LATITUDE = (52.0, 22.0, 12.34)


def photo(
    width: int = 320, height: int = 240, colour: tuple[int, int, int] = (40, 120, 200)
) -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill=(250, 200, 40))
    draw.rectangle((width // 2, height // 2, width - 10, height - 10), fill=(30, 90, 40))
    return image


def jpeg(width: int = 320, height: int = 240, *, gps: bool = False, **params: object) -> bytes:
    image = photo(width, height)
    buffer = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TestCam"
        exif[ExifTags.Base.DateTimeOriginal] = "2026:11:20 10:00:00"
        exif[ExifTags.Base.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 54.0, 0.0),
        }
        image.save(buffer, format="JPEG", exif=exif, **params)
    else:
        image.save(buffer, format="JPEG", **params)
    return buffer.getvalue()


def encoded(fmt: str, width: int = 200, height: int = 150) -> bytes:
    buffer = io.BytesIO()
    photo(width, height).save(buffer, format=fmt)
    return buffer.getvalue()


def truncated_jpeg() -> bytes:
    data = jpeg(400, 300)
    return data[: len(data) // 2]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels but carries (almost) none of them."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


BAD_UPLOADS = {
    "not an image": (b"%PDF-1.4 this is not a photo at all", "not a photo we can use"),
    "truncated": (None, "incomplete or damaged"),
    "too many pixels": (None, "megapixels"),
    "too big": (None, "the limit is 20 MB"),
    "wrong type by content": (None, "not a photo we can use"),
    "empty": (b"", "The file is empty."),
}


def bad_upload(name: str) -> tuple[bytes, str]:
    data, message = BAD_UPLOADS[name]
    if name == "truncated":
        data = truncated_jpeg()
    elif name == "too many pixels":
        data = png_header_only(9000, 9000)
    elif name == "too big":
        data = b"\xff\xd8\xff\xe0" + b"\x00" * (21 * 1024 * 1024)
    elif name == "wrong type by content":
        data = encoded("TIFF")  # a real image, but a type we do not take, whatever its name says
    assert data is not None
    return data, message
