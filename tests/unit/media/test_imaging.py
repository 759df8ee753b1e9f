"""The photo pipeline: what an upload must be, what the stored master keeps, and channel variants."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageChops, ImageCms, ImageDraw, PngImagePlugin

from planner.errors import ValidationError
from planner.media.imaging import (
    ImageRejectedError,
    VariantSpec,
    inspect_and_normalise,
    make_variant,
    make_variants,
    thumbnail,
)

# --------------------------------------------------------------------------------------------------
# Images drawn here, so every test says what it feeds in.


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """Gradients plus noise, so JPEG compresses it like a photo rather than a flat colour."""
    rng = random.Random(seed)
    noise = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    gradient = Image.linear_gradient("L").resize((width, height))
    return Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_180)))


def open_bytes(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` but carries almost no pixel data: a bomb's header."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


GPS_LATITUDE = (52.0, 22.0, 12.5)


def jpeg_with_metadata() -> bytes:
    image = photo_like(64, 48)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    return encode(
        image,
        "JPEG",
        exif=exif,
        comment=b"secret-comment",
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


# --------------------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(b"", "empty", id="zero bytes"),
        pytest.param(b"just some text, not a picture\n" * 10, "not a photo", id="text"),
        pytest.param(
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "not a photo",
            id="html named .jpg",
        ),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not a photo", id="pdf"),
    ],
)
def test_inspect_and_normalise_refuses_non_images(data: bytes, words: str) -> None:
    with pytest.raises(ImageRejectedError, match=words):
        inspect_and_normalise(data)


def test_inspect_and_normalise_refuses_tiff_even_though_pillow_reads_it() -> None:
    tiff = encode(photo_like(32, 32), "TIFF")
    assert open_bytes(tiff).format == "TIFF"  # Pillow itself would accept it
    with pytest.raises(ImageRejectedError, match="JPEG, PNG, WebP or GIF"):
        inspect_and_normalise(tiff)


def test_image_rejected_error_is_a_user_facing_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        inspect_and_normalise(b"nope")
    assert caught.value.field == "image"


def test_inspect_and_normalise_refuses_truncated_jpeg() -> None:
    whole = encode(photo_like(400, 300), "JPEG", quality=90)
    inspect_and_normalise(whole)  # the whole file is fine
    with pytest.raises(ImageRejectedError, match="incomplete or damaged"):
        inspect_and_normalise(whole[: len(whole) // 2])


def test_inspect_and_normalise_refuses_images_over_the_pixel_limit_before_decoding() -> None:
    bomb = png_header_only(8000, 6000)  # 48 MP claimed in a few dozen bytes
    assert len(bomb) < 200
    with pytest.raises(ImageRejectedError, match=r"8000×6000 pixels \(48 megapixels\)"):
        inspect_and_normalise(bomb, max_pixels=40_000_000)


def test_inspect_and_normalise_refuses_bombs_beyond_pillows_own_hard_limit() -> None:
    with pytest.raises(ImageRejectedError, match="too large"):
        inspect_and_normalise(png_header_only(50_000, 50_000))


def test_inspect_and_normalise_handles_pillows_bomb_warning_when_our_limit_is_higher() -> None:
    # 95 MP is over Pillow's warning threshold (~89 MP) but under the limit we pass: the warning
    # must not escape (warnings are errors here); the header-only file then fails as damaged.
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS < 9_500 * 10_000
    with pytest.raises(ImageRejectedError, match="incomplete or damaged"):
        inspect_and_normalise(png_header_only(9_500, 10_000), max_pixels=100_000_000)


def test_inspect_and_normalise_refuses_files_over_the_byte_limit() -> None:
    data = encode(photo_like(200, 200), "PNG")
    with pytest.raises(ImageRejectedError, match="MB; the limit is"):
        inspect_and_normalise(data, max_bytes=len(data) - 1)
    assert inspect_and_normalise(data, max_bytes=len(data)).format == "JPEG"


# --------------------------------------------------------------------------------------------------
# What the master keeps, and what it drops


def test_inspect_and_normalise_strips_exif_gps_xmp_comment_and_icc() -> None:
    upload = jpeg_with_metadata()
    original = Image.open(io.BytesIO(upload))
    # The upload really carries what we expect to be stripped, or this test proves nothing.
    assert (
        original.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE
    )
    assert {"exif", "xmp", "comment", "icc_profile"} <= set(original.info)

    master = inspect_and_normalise(upload)
    stored = Image.open(io.BytesIO(master.data))
    assert not stored.getexif()
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(stored.info)
    for secret in (b"Exif\x00\x00", b"SpyCam", b"secret-comment", b"secret-xmp", b"ICC_PROFILE"):
        assert secret not in master.data


def test_inspect_and_normalise_strips_png_text_and_exif_chunks() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-png-text")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    upload = encode(Image.new("RGBA", (20, 20), (0, 0, 255, 128)), "PNG", pnginfo=text, exif=exif)
    assert b"secret-png-text" in upload
    assert b"SpyCam" in upload

    master = inspect_and_normalise(upload)
    assert master.format == "PNG"
    assert b"secret-png-text" not in master.data
    assert b"SpyCam" not in master.data
    assert b"eXIf" not in master.data


def test_inspect_and_normalise_reports_hash_mime_and_size_of_what_it_stores() -> None:
    master = inspect_and_normalise(encode(photo_like(120, 80), "PNG"))
    assert master.sha256 == hashlib.sha256(master.data).hexdigest()
    assert (master.format, master.mime, master.suffix) == ("JPEG", "image/jpeg", ".jpg")
    assert open_bytes(master.data).size == (master.width, master.height) == (120, 80)
    assert master.source_format == "PNG"


def test_inspect_and_normalise_applies_exif_orientation() -> None:
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 19, 19), fill=(255, 0, 0))  # left half red
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    master = inspect_and_normalise(encode(image, "JPEG", exif=exif, quality=95))

    assert (master.width, master.height) == (20, 40)
    stored = open_bytes(master.data)
    red, _green, blue = pixel(stored, (10, 5))
    assert red > 200
    assert blue < 60
    red, _green, blue = pixel(stored, (10, 35))
    assert blue > 200
    assert red < 60


def test_inspect_and_normalise_converts_cmyk_jpeg_to_rgb() -> None:
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # full magenta + yellow: red
    upload = encode(cmyk, "JPEG", quality=95)
    assert Image.open(io.BytesIO(upload)).mode == "CMYK"

    master = inspect_and_normalise(upload)
    stored = open_bytes(master.data)
    assert stored.mode == "RGB"
    red, green, blue = pixel(stored, (16, 16))
    assert red > 200
    assert green < 60
    assert blue < 60


def test_inspect_and_normalise_scales_16_bit_greyscale_instead_of_clipping() -> None:
    sixteen = Image.new("I;16", (3, 1))
    for x, value in enumerate((0, 32_896, 65_535)):
        sixteen.putpixel((x, 0), value)
    upload = encode(sixteen, "PNG")
    assert Image.open(io.BytesIO(upload)).mode.startswith("I")

    stored = open_bytes(inspect_and_normalise(upload).data)
    levels = [pixel(stored, (x, 0))[0] for x in range(3)]
    assert levels[0] < 10
    assert 110 < levels[1] < 145  # mid-grey, not clipped to white
    assert levels[2] > 245


def test_inspect_and_normalise_keeps_palette_transparency_as_rgba_png() -> None:
    palette = Image.new("P", (10, 10), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.putpixel((0, 0), 0)
    upload = encode(palette, "PNG", transparency=0)

    master = inspect_and_normalise(upload)
    stored = open_bytes(master.data)
    assert (master.format, master.mime, stored.mode) == ("PNG", "image/png", "RGBA")
    assert pixel(stored, (0, 0))[3] == 0
    assert pixel(stored, (5, 5)) == (255, 0, 0, 255)


def test_inspect_and_normalise_turns_la_into_rgba() -> None:
    upload = encode(Image.new("LA", (8, 8), (200, 100)), "PNG")
    stored = open_bytes(inspect_and_normalise(upload).data)
    assert stored.mode == "RGBA"
    assert pixel(stored, (1, 1)) == (200, 200, 200, 100)


def test_inspect_and_normalise_stores_opaque_rgba_as_jpeg() -> None:
    master = inspect_and_normalise(encode(Image.new("RGBA", (8, 8), (1, 2, 3, 255)), "PNG"))
    assert master.format == "JPEG"


def test_inspect_and_normalise_converts_embedded_icc_profile_and_drops_it() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(Image.new("RGB", (16, 16), (30, 140, 220)), "PNG", icc_profile=srgb)
    stored = open_bytes(inspect_and_normalise(upload).data)
    assert "icc_profile" not in stored.info
    assert all(abs(a - b) <= 4 for a, b in zip(pixel(stored, (8, 8)), (30, 140, 220), strict=True))


def test_inspect_and_normalise_survives_a_profile_that_does_not_fit_the_pixels() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(Image.new("L", (16, 16), 90), "JPEG", icc_profile=srgb)
    stored = open_bytes(inspect_and_normalise(upload).data)
    assert stored.mode == "RGB"


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_inspect_and_normalise_keeps_first_frame_of_animation(fmt: str) -> None:
    frames = [
        Image.new("RGB", (30, 20), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    ]
    upload = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(upload)), "n_frames", 1) == 3

    master = inspect_and_normalise(upload)
    assert master.was_animated
    stored = Image.open(io.BytesIO(master.data))
    assert getattr(stored, "n_frames", 1) == 1
    red, green, blue = pixel(stored, (15, 10))
    assert red > 200
    assert green < 60
    assert blue < 60


def test_inspect_and_normalise_reports_still_images_as_not_animated() -> None:
    assert not inspect_and_normalise(encode(photo_like(20, 20), "GIF")).was_animated


# --------------------------------------------------------------------------------------------------
# Variants


@pytest.fixture(scope="module")
def master() -> bytes:
    return inspect_and_normalise(encode(photo_like(2400, 1600), "JPEG", quality=92)).data


@pytest.mark.parametrize(
    ("width", "height"), [(1600, 900), (1080, 1080), (1080, 1350), (1200, 627)]
)
def test_make_variant_has_exact_target_size(master: bytes, width: int, height: int) -> None:
    variant = open_bytes(make_variant(master, width=width, height=height))
    assert variant.size == (width, height)
    assert variant.format == "JPEG"


def test_make_variant_never_upscales_but_keeps_the_aspect_ratio() -> None:
    small = inspect_and_normalise(encode(photo_like(400, 300), "JPEG")).data
    variant = open_bytes(make_variant(small, width=1080, height=1350))
    assert variant.size == (240, 300)


def corner_square_photo() -> bytes:
    image = Image.new("RGB", (1200, 600), (255, 255, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 99, 99), fill=(255, 0, 0))
    return inspect_and_normalise(encode(image, "PNG")).data


def has_red(image: Image.Image) -> bool:
    red, green, _blue = image.split()
    # A pixel is red when R is high and G is low; count them with channel arithmetic.
    redness = Image.eval(red, lambda v: 255 if v > 200 else 0)
    not_green = Image.eval(green, lambda v: 255 if v < 60 else 0)
    return ImageChops.multiply(redness, not_green).getbbox() is not None


def test_make_variant_crops_around_the_focal_point() -> None:
    photo = corner_square_photo()
    near = open_bytes(make_variant(photo, width=300, height=300, focal=(0.05, 0.1)))
    far = open_bytes(make_variant(photo, width=300, height=300, focal=(0.95, 0.5)))
    assert near.size == far.size == (300, 300)
    assert has_red(near)
    assert not has_red(far)
    # The square stays in the corner it was in: top-left.
    assert pixel(near, (5, 5))[0] > 200
    assert pixel(near, (5, 5))[1] < 60


def test_make_variant_honours_a_byte_cap(master: bytes) -> None:
    uncapped = make_variant(master, width=1200, height=630)
    cap = len(uncapped) // 3
    capped = make_variant(master, width=1200, height=630, max_bytes=cap)
    assert len(capped) <= cap < len(uncapped)
    assert open_bytes(capped).format == "JPEG"


def test_make_variant_shrinks_png_to_meet_a_cap(master: bytes) -> None:
    uncapped = make_variant(master, width=800, height=800, fmt="PNG")
    capped = make_variant(master, width=800, height=800, fmt="PNG", max_bytes=len(uncapped) // 4)
    assert len(capped) <= len(uncapped) // 4
    shrunk = open_bytes(capped)
    assert shrunk.format == "PNG"
    assert shrunk.width < 800
    assert shrunk.width == shrunk.height


def test_make_variant_refuses_an_impossible_cap(master: bytes) -> None:
    with pytest.raises(ImageRejectedError, match="cannot be made smaller"):
        make_variant(master, width=600, height=600, max_bytes=10)


def test_make_variant_flattens_transparency_onto_white_for_jpeg() -> None:
    transparent = inspect_and_normalise(encode(Image.new("RGBA", (100, 100), (0, 0, 0, 0)), "PNG"))
    assert transparent.format == "PNG"
    variant = open_bytes(make_variant(transparent.data, width=50, height=50))
    assert variant.mode == "RGB"
    assert min(pixel(variant, (25, 25))) > 245


def test_make_variants_decodes_once_for_every_spec(master: bytes) -> None:
    specs = [
        VariantSpec("x", 1600, 900),
        VariantSpec("instagram", 1080, 1350, fmt="WEBP"),
        VariantSpec("bluesky", 1200, 630, max_bytes=60_000),
        VariantSpec("thumb", 480),
    ]
    variants = make_variants(master, specs)
    assert set(variants) == {"x", "instagram", "bluesky", "thumb"}
    assert open_bytes(variants["x"]).size == (1600, 900)
    assert open_bytes(variants["instagram"]).format == "WEBP"
    assert len(variants["bluesky"]) <= 60_000
    assert open_bytes(variants["thumb"]).size == (480, 320)


def test_make_variants_refuses_duplicate_names(master: bytes) -> None:
    with pytest.raises(ValueError, match="unique"):
        make_variants(master, [VariantSpec("a", 10, 10), VariantSpec("a", 20, 20)])


@pytest.mark.parametrize(
    "arguments",
    [{"width": 0, "height": 10}, {"width": 10, "height": -1}, {"width": 10, "fmt": "TIFF"}],
)
def test_variant_spec_refuses_nonsense(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"positive size|format"):
        VariantSpec("bad", **arguments)  # type: ignore[arg-type]


def test_thumbnail_is_480_wide_at_the_masters_aspect(master: bytes) -> None:
    thumb = open_bytes(thumbnail(master))
    assert thumb.size == (480, 320)
