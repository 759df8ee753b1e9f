"""Turn an uploaded photo into a safe, metadata-free sRGB master, and cut channel variants from it.

Pure Pillow over bytes: no Flask, no database, no storage, so services decide where the bytes go and
the rules here can be tested with images drawn inside the tests.

Memory is bounded per process: a 40-megapixel master decodes to 160 MB (RGBA), so variants are
rendered on ``CONCURRENT_CROPS`` threads of the process's own (the rest wait their turn: a
semaphore that also keeps the big buffers in the same two threads, whose freed memory the next
render reuses instead of every request thread's allocator keeping its own), a JPEG master is
decoded at reduced scale (``draft``), and a PNG master's alpha is premultiplied band by band while
it is reduced, never as a second full-size copy. Thirteen parallel crops of one such photo took a
server from 4.4 GB to about half a gigabyte (tests/web/stories/test_crop_memory.py).

This module is long because opening, normalising and cutting variants share one set of checks
and one decode; split up, the rules about pixels and memory would live in several places.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from planner.errors import ValidationError

MiB = 1024 * 1024

#: Uploads are identified by content; anything else (TIFF, SVG, HEIC, PDF, HTML...) is refused.
ACCEPTED_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF")

DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_BYTES = 25 * MiB

#: 88 keeps photos visually lossless at roughly a third of the size of 95+.
MASTER_JPEG_QUALITY = 88
#: Variants are viewed small, on screens, and re-compressed by the platforms anyway.
VARIANT_JPEG_QUALITY = 85
#: Quality steps tried before a variant is made smaller to meet a byte cap; below ~60 JPEG
#: artefacts show on faces and text, so past that point fewer pixels look better than worse pixels.
_CAP_QUALITIES: tuple[int, ...] = (85, 78, 70, 62)
_MAX_SHRINK_STEPS = 12

#: Resampling in two steps (a cheap box reduction, then Lanczos) is nearly as sharp as Lanczos alone
#: once the intermediate image is at least this many times the target size; 2.0 is the value
#: Pillow's own thumbnail() uses, and measured fastest here without visible softening.
_REDUCING_GAP = 2.0

#: Variant renders one process runs at once; a render is CPU-bound (Pillow releases the GIL, so two
#: use both cores of the machines we run on) and may hold a full-size decode, so more at once only
#: adds memory, not speed.
CONCURRENT_CROPS = 2
#: the thread-name prefix of the render threads
RENDER_THREADS = "planner-crop"
_renderers: tuple[int, ThreadPoolExecutor] | None = None
_renderers_lock = threading.Lock()

#: The reducing gap for images with alpha, whose reduced copy is premultiplied (see ``_resize``).
_ALPHA_REDUCING_GAP = 1.5
#: Rows premultiplied at a time when reducing an image with alpha (a multiple of the factor).
_BAND_ROWS = 256

_MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_SUFFIX_BY_FORMAT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
_SRGB_PROFILE = ImageCms.createProfile("sRGB")


class ImageRejectedError(ValidationError):
    """An upload that is not a photo we can use; the message says why, for the person uploading.

    ``message`` is filled in from the details; ``template`` is the untranslated text with
    ``%(name)s`` placeholders, so a page can translate it and fill in the same details.
    """

    code = "image-rejected"
    template: str

    def __init__(self, message: str, field: str | None = None, **details: object) -> None:
        self.template = message
        super().__init__(message % details if details else message, field=field, **details)


@dataclass(frozen=True, slots=True)
class NormalisedImage:
    """The stored master: sRGB pixels with no metadata at all, as JPEG (opaque) or PNG (alpha)."""

    data: bytes
    format: str
    width: int
    height: int
    sha256: str
    mime: str
    #: The upload had several frames; the master is its first frame.
    was_animated: bool = False
    #: The format the upload was identified as, before normalising (e.g. "WEBP", "GIF").
    source_format: str = ""

    @property
    def suffix(self) -> str:
        return _SUFFIX_BY_FORMAT[self.format]

    @property
    def has_alpha(self) -> bool:
        return self.format == "PNG"


@dataclass(frozen=True, slots=True)
class VariantSpec:
    """One image a channel wants: a target box, an optional byte cap and an output format.

    ``height=None`` means "keep the master's aspect ratio at this width" (thumbnails); otherwise the
    master is cropped to ``width:height`` around the focal point.
    """

    name: str
    width: int
    height: int | None = None
    max_bytes: int | None = None
    fmt: str = "JPEG"

    def __post_init__(self) -> None:
        if self.width <= 0 or (self.height is not None and self.height <= 0):
            raise ValueError(f"variant {self.name!r} needs a positive size")
        if self.fmt not in _MIME_BY_FORMAT:
            allowed = ", ".join(sorted(_MIME_BY_FORMAT))
            raise ValueError(f"variant {self.name!r}: format must be one of {allowed}")


# --------------------------------------------------------------------------------------------------
# Opening safely


def _open_checked(data: bytes, *, max_pixels: int, max_bytes: int) -> Image.Image:
    """Identify ``data`` by content and check its size from the header, before decoding pixels."""
    if not data:
        raise ImageRejectedError("The file is empty.", field="image")
    if len(data) > max_bytes:
        raise ImageRejectedError(
            "The file is %(size_mb).1f MB; the limit is %(limit_mb)d MB.",
            field="image",
            size_mb=round(len(data) / MiB, 1),
            limit_mb=round(max_bytes / MiB),
        )
    try:
        # Pillow's own bomb check runs inside open() against a process-wide limit; we apply our own
        # (usually lower) limit right after, so its warning is noise here. Its hard error (more than
        # twice that global limit) is still a refusal, reported in the same words as ours.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(None, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise ImageRejectedError(
            "This file is not a photo we can use: upload a JPEG, PNG, WebP or GIF image.",
            field="image",
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        # Plugins report broken headers with any of these.
        raise ImageRejectedError(
            "This image file is damaged and cannot be read.", field="image"
        ) from exc

    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageRejectedError("This image has no pixels.", field="image")
    if width * height > max_pixels:
        raise _too_many_pixels((width, height), max_pixels)
    return image


def _too_many_pixels(size: tuple[int, int] | None, max_pixels: int) -> ImageRejectedError:
    megapixels = max_pixels / 1_000_000
    if size is None:
        return ImageRejectedError(
            "This image is too large: the limit is %(limit_megapixels)d megapixels.",
            field="image",
            limit_megapixels=round(megapixels),
        )
    actual = size[0] * size[1] / 1_000_000
    return ImageRejectedError(
        "This image is %(width)d×%(height)d pixels (%(megapixels)d megapixels);"
        " the limit is %(limit_megapixels)d megapixels.",
        field="image",
        width=size[0],
        height=size[1],
        megapixels=round(actual),
        limit_megapixels=round(megapixels),
    )


def _load(image: Image.Image) -> None:
    """Decode every pixel now, so a truncated or corrupt file fails here, not in a variant job."""
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageRejectedError(
            "This image file is incomplete or damaged (was the upload cut off?).", field="image"
        ) from exc


# --------------------------------------------------------------------------------------------------
# Normalising


def inspect_and_normalise(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_bytes: int = DEFAULT_MAX_BYTES
) -> NormalisedImage:
    """Check an upload and return the master to store.

    The master is upright (EXIF orientation applied), sRGB, 8 bits per channel, and carries no
    metadata: EXIF (including GPS), XMP, ICC profiles and comments are all dropped, because photos
    of people must not leak where and when they were taken.

    Animated GIF and WebP uploads keep their first frame as a still master and report
    ``was_animated``: every channel we publish to gets stills.
    """
    image = _open_checked(data, max_pixels=max_pixels, max_bytes=max_bytes)
    source_format = image.format or ""
    was_animated = bool(getattr(image, "is_animated", False))
    # open() leaves a multi-frame file on frame 0, so load() below decodes exactly the first frame.
    _load(image)

    image = _to_srgb(image)
    image = _apply_orientation(image)
    image = _to_8bit_rgb(image)

    if image.mode == "RGBA" and _is_opaque(image):
        image = image.convert("RGB")

    # A fresh info dict means the encoders find nothing to copy: no exif, xmp, icc_profile, comment.
    image.info = {}
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        fmt = "PNG"
        image.save(buffer, format=fmt, optimize=False)
    else:
        fmt = "JPEG"
        image.save(buffer, format=fmt, quality=MASTER_JPEG_QUALITY)
    stored = buffer.getvalue()
    return NormalisedImage(
        data=stored,
        format=fmt,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        mime=_MIME_BY_FORMAT[fmt],
        was_animated=was_animated,
        source_format=source_format,
    )


def _apply_orientation(image: Image.Image) -> Image.Image:
    # Reading the tag first avoids exif_transpose's full copy for the common upright photo.
    orientation = image.getexif().get(0x0112, 1)
    if orientation in (None, 1):
        return image
    return ImageOps.exif_transpose(image)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded ICC profile to sRGB; untagged pixels are sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, _SRGB_PROFILE, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or mismatched profile is common in the wild (e.g. an RGB profile on a greyscale
        # file). Refusing the photo would help nobody: fall back to plain conversion below.
        return image
    assert converted is not None  # profileToProfile only returns None when inPlace=True
    converted.info = dict(image.info)
    return converted


def _to_8bit_rgb(image: Image.Image) -> Image.Image:
    """Reduce every mode the accepted formats produce to 8-bit RGB, or RGBA when there is alpha."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode in ("PA", "LA", "La", "RGBa"):
        return image.convert("RGBA")
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit greyscale: convert("L") would clip everything above 255 to white; scale instead.
        # Pillow opens 16-bit greyscale PNGs as I;16 (older versions as I), so 65535 is full white.
        wide = image if mode == "I" else image.convert("I")
        return wide.point(lambda value: value * (1 / 257)).convert("L").convert("RGB")
    if mode == "L" and "transparency" in image.info:
        return image.convert("RGBA")
    # CMYK without a usable profile, L, 1, YCbCr: Pillow's conversions are right for these.
    return image.convert("RGB")


def _is_opaque(image: Image.Image) -> bool:
    low, _high = image.getchannel("A").getextrema()
    return bool(low == 255)


# --------------------------------------------------------------------------------------------------
# Variants


def make_variant(
    data: bytes,
    *,
    width: int,
    height: int,
    focal: tuple[float, float] = (0.5, 0.5),
    max_bytes: int | None = None,
    fmt: str = "JPEG",
) -> bytes:
    """One channel image: crop a master to ``width:height`` around ``focal``, resize, encode."""
    spec = VariantSpec("variant", width, height, max_bytes, fmt)
    return make_variants(data, [spec], focal)[spec.name]


def thumbnail(data: bytes, *, width: int = 480) -> bytes:
    """A small preview for the editor's screens, at the master's own aspect ratio."""
    spec = VariantSpec("thumbnail", width)
    return make_variants(data, [spec])[spec.name]


def make_variants(
    data: bytes,
    specs: Sequence[VariantSpec],
    focal: tuple[float, float] = (0.5, 0.5),
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> dict[str, bytes]:
    """Every variant in ``specs`` from one decode of ``data``, keyed by spec name.

    ``data`` is expected to be a master from :func:`inspect_and_normalise` (upright, sRGB). Variants
    never upscale: when the photo is smaller than the target, the crop keeps the target's aspect
    ratio at the photo's own resolution. A byte cap wins over the size: quality steps down first,
    then the image is made smaller until it fits.
    """
    if not specs:
        return {}
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("variant names must be unique")
    fx, fy = _clamp_focal(focal)
    # The decode, the resizes and the encodes (everything that is big) run on a render thread.
    return _render_pool().submit(_render_variants, data, specs, fx, fy, max_pixels).result()


def _render_pool() -> ThreadPoolExecutor:
    """This process's render threads; made anew in a forked worker, whose parent's threads
    did not come along."""
    global _renderers
    with _renderers_lock:
        if _renderers is None or _renderers[0] != os.getpid():
            pool = ThreadPoolExecutor(CONCURRENT_CROPS, thread_name_prefix=RENDER_THREADS)
            _renderers = (os.getpid(), pool)
        return _renderers[1]


def _render_variants(
    data: bytes, specs: Sequence[VariantSpec], fx: float, fy: float, max_pixels: int
) -> dict[str, bytes]:
    image = _open_checked(data, max_pixels=max_pixels, max_bytes=max(len(data), 1))
    full_w, full_h = image.size
    boxes = {spec.name: _crop_box(full_w, full_h, spec, fx, fy) for spec in specs}

    # JPEG can decode at 1/2, 1/4 or 1/8 scale for almost nothing (DCT scaling). Ask for the
    # smallest scale that still gives every variant at least its target pixels across its crop.
    pairs = _pairs(specs, boxes)
    need_w = max(full_w * _target(spec, box)[0] / (box[2] - box[0]) for spec, box in pairs)
    need_h = max(full_h * _target(spec, box)[1] / (box[3] - box[1]) for spec, box in pairs)
    image.draft(None, (max(1, math.ceil(need_w)), max(1, math.ceil(need_h))))
    _load(image)
    scale_x = image.width / full_w
    scale_y = image.height / full_h

    results: dict[str, bytes] = {}
    for spec, box in pairs:
        scaled_box = (box[0] * scale_x, box[1] * scale_y, box[2] * scale_x, box[3] * scale_y)
        target = _target(spec, box)
        resized = _resize(image, target, scaled_box)
        results[spec.name] = _encode_capped(_for_format(resized, spec.fmt), spec)
    return results


def _resize(
    image: Image.Image, target: tuple[int, int], box: tuple[float, float, float, float]
) -> Image.Image:
    """Lanczos to ``target`` from ``box``, after a cheap box reduction when the box is large.

    Pillow resizes RGBA by premultiplying alpha into a full-size copy first (160 MB for a 40 MP
    master). Here only the box is premultiplied, one band of rows at a time while it is reduced
    (the same pixels as premultiplying first), and only the reduced image is resized.
    """
    if image.mode != "RGBA":
        return image.resize(target, Image.Resampling.LANCZOS, box=box, reducing_gap=_REDUCING_GAP)
    # With alpha a smaller gap: what is premultiplied and resized is then at most three times the
    # target across (50 MB for a 1080x1350 crop), whatever the size of the master.
    factor_x = int((box[2] - box[0]) / target[0] / _ALPHA_REDUCING_GAP) or 1
    factor_y = int((box[3] - box[1]) / target[1] / _ALPHA_REDUCING_GAP) or 1
    left, top = int(box[0]), int(box[1])
    right, bottom = min(image.width, math.ceil(box[2])), min(image.height, math.ceil(box[3]))
    reduced = Image.new(
        "RGBa", (math.ceil((right - left) / factor_x), math.ceil((bottom - top) / factor_y))
    )
    rows = factor_y * max(1, _BAND_ROWS // factor_y)
    for y in range(top, bottom, rows):
        band = image.crop((left, y, right, min(y + rows, bottom))).convert("RGBa")
        reduced.paste(band.reduce((factor_x, factor_y)), (0, (y - top) // factor_y))
    reduced_box = (
        (box[0] - left) / factor_x,
        (box[1] - top) / factor_y,
        (box[2] - left) / factor_x,
        (box[3] - top) / factor_y,
    )
    return reduced.resize(target, Image.Resampling.LANCZOS, box=reduced_box).convert("RGBA")


def _pairs(
    specs: Sequence[VariantSpec], boxes: dict[str, tuple[float, float, float, float]]
) -> list[tuple[VariantSpec, tuple[float, float, float, float]]]:
    return [(spec, boxes[spec.name]) for spec in specs]


def _clamp_focal(focal: tuple[float, float]) -> tuple[float, float]:
    fx, fy = focal
    if not (math.isfinite(fx) and math.isfinite(fy)):
        raise ValueError("focal point must be finite")
    return min(max(fx, 0.0), 1.0), min(max(fy, 0.0), 1.0)


def _crop_box(
    full_w: int, full_h: int, spec: VariantSpec, fx: float, fy: float
) -> tuple[float, float, float, float]:
    """The largest box of the target aspect ratio, centred on the focal point as far as it fits."""
    if spec.height is None:
        return (0.0, 0.0, float(full_w), float(full_h))
    aspect = spec.width / spec.height
    if full_w / full_h > aspect:
        crop_w, crop_h = full_h * aspect, float(full_h)
    else:
        crop_w, crop_h = float(full_w), full_w / aspect
    left = min(max(fx * full_w - crop_w / 2, 0.0), full_w - crop_w)
    top = min(max(fy * full_h - crop_h / 2, 0.0), full_h - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def _target(spec: VariantSpec, box: tuple[float, float, float, float]) -> tuple[int, int]:
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    if spec.height is None:
        width = min(spec.width, round(crop_w))
        return width, max(1, round(width * crop_h / crop_w))
    # Never upscale: shrink the target, keeping its aspect, when the crop is smaller than it.
    factor = min(1.0, crop_w / spec.width, crop_h / spec.height)
    return max(1, round(spec.width * factor)), max(1, round(spec.height * factor))


def _for_format(image: Image.Image, fmt: str) -> Image.Image:
    if fmt == "JPEG" and image.mode != "RGB":
        if image.mode == "RGBA":
            # JPEG has no alpha: flatten onto white, which is how most feeds show transparent PNGs.
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            return background
        return image.convert("RGB")
    if image.mode not in ("RGB", "RGBA"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, format=fmt)
    else:
        image.save(buffer, format=fmt, quality=quality)
    return buffer.getvalue()


def _encode_capped(image: Image.Image, spec: VariantSpec) -> bytes:
    lossy = spec.fmt != "PNG"
    encoded = _encode(image, spec.fmt, VARIANT_JPEG_QUALITY)
    if spec.max_bytes is None or len(encoded) <= spec.max_bytes:
        return encoded
    for _ in range(_MAX_SHRINK_STEPS):
        if lossy:
            for quality in _CAP_QUALITIES[1:]:
                encoded = _encode(image, spec.fmt, quality)
                if len(encoded) <= spec.max_bytes:
                    return encoded
        # Bytes grow roughly with pixel count: aim just under the cap, and shrink at least 10%.
        ratio = min(0.9, math.sqrt(spec.max_bytes / len(encoded)) * 0.95)
        new_size = (max(1, int(image.width * ratio)), max(1, int(image.height * ratio)))
        if new_size == image.size:
            break
        image = image.resize(new_size, Image.Resampling.LANCZOS)
        encoded = _encode(image, spec.fmt, _CAP_QUALITIES[0])
        if len(encoded) <= spec.max_bytes:
            return encoded
    raise ImageRejectedError(
        "This image cannot be made smaller than %(max_bytes)d bytes for %(variant)s.",
        field="image",
        max_bytes=spec.max_bytes,
        variant=spec.name,
    )
