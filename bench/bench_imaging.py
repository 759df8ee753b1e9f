"""How long one 24-megapixel photo takes to become every channel variant, ours against a naive loop.

Run: .venv/bin/python bench/bench_imaging.py [--runs N]. Both paths run in the same process on the
same bytes, so compare the ratio; absolute times on shared machines drift from run to run.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

from PIL import Image, ImageChops

from planner.media.imaging import VariantSpec, inspect_and_normalise, make_variants

WIDTH, HEIGHT = 6000, 4000

SPECS = [
    VariantSpec("x", 1600, 900),
    VariantSpec("square", 1080, 1080),
    VariantSpec("portrait", 1080, 1350),
    VariantSpec("linkedin", 1200, 627),
    VariantSpec("bluesky", 1200, 630, max_bytes=1_000_000),
    VariantSpec("thumbnail", 480),
]


def make_photo() -> bytes:
    """Smooth gradients and detail plus sensor-like noise: compresses like a photo, not a flat fill."""
    size = (WIDTH, HEIGHT)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 40)
    channels = [
        ImageChops.add(channel, Image.effect_noise(size, 10), scale=1.0, offset=-128)
        for channel in (red, green, blue)
    ]
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def naive_variants(data: bytes) -> dict[str, bytes]:
    """What one writes first: full decode, then crop and resize every variant from full size."""
    image = Image.open(io.BytesIO(data))
    image.load()
    results = {}
    for spec in SPECS:
        if spec.height is None:
            box = (0, 0, image.width, image.height)
            target = (spec.width, round(spec.width * image.height / image.width))
        else:
            aspect = spec.width / spec.height
            crop_w = min(image.width, round(image.height * aspect))
            crop_h = min(image.height, round(image.width / aspect))
            left, top = (image.width - crop_w) // 2, (image.height - crop_h) // 2
            box = (left, top, left + crop_w, top + crop_h)
            target = (spec.width, spec.height)
        resized = image.crop(box).resize(target, Image.Resampling.LANCZOS)
        quality = 85
        while True:
            buffer = io.BytesIO()
            resized.save(buffer, format="JPEG", quality=quality)
            if spec.max_bytes is None or buffer.tell() <= spec.max_bytes or quality <= 40:
                break
            quality -= 10
        results[spec.name] = buffer.getvalue()
    return results


def time_ms(action: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    upload = make_photo()
    print(f"upload: {WIDTH}×{HEIGHT} JPEG, {len(upload) / 1e6:.1f} MB")

    normalise = time_ms(lambda: inspect_and_normalise(upload), runs)
    master = inspect_and_normalise(upload).data
    print(f"inspect_and_normalise (once per upload): median {statistics.median(normalise):.0f} ms")

    # Interleave the two paths so background load on a shared machine hits both alike.
    ours: list[float] = []
    naive: list[float] = []
    for _ in range(runs):
        ours += time_ms(lambda: make_variants(master, SPECS, (0.5, 0.5)), 1)
        naive += time_ms(lambda: naive_variants(master), 1)

    ours_ms, naive_ms = statistics.median(ours), statistics.median(naive)
    print(f"{len(SPECS)} variants per photo, median of {runs} runs:")
    print(f"  naive open/decode/resize/save : {naive_ms:7.0f} ms per photo (min {min(naive):.0f})")
    print(f"  make_variants (draft + gap)   : {ours_ms:7.0f} ms per photo (min {min(ours):.0f})")
    print(f"  speed-up                      : {naive_ms / ours_ms:7.1f}×")

    for name, data in make_variants(master, SPECS, (0.5, 0.5)).items():
        with Image.open(io.BytesIO(data)) as variant:
            print(f"  {name:10s} {variant.width:5d}×{variant.height:<5d} {len(data):>9,} bytes")


if __name__ == "__main__":
    main()
