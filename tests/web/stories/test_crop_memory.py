"""Issue 12, item 13: thirteen parallel crop requests for one 40-megapixel photo (a solid PNG of
about 150 KB whose alpha keeps it a PNG master) must not take the server past ~1 GB.

The server is a real process on 127.0.0.1 (the app under Werkzeug's threaded server); its peak
resident memory is read from the kernel (/proc/<pid>/status, VmHWM) after the crops, so what is
measured is what the issue measured (4.4 GB here before crops were bounded). The pixels of the
banded alpha reduction are compared with Pillow's own resize.
"""

from __future__ import annotations

import http.cookiejar
import io
import re
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from planner import migrate
from planner.accounts.models import Role
from planner.accounts.services import create_user
from planner.channels.catalogue import ImageSpec, all_kinds
from planner.db import make_engine, make_sessionmaker, transaction
from planner.media import imaging
from planner.media.storage import FileSystemStorage
from planner.stories import photos
from tests import factories as make
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
MiB = 1024 * 1024
#: 39.98 megapixels, just under the 40 MP limit
SIZE = (7744, 5163)

SERVER = """
import sys
import threading
from pathlib import Path
from werkzeug.serving import make_server
from planner import create_app
from planner.config import Settings

tmp, url = Path(sys.argv[1]), sys.argv[2]
settings = Settings(
    instance_path=tmp / "instance",
    database_url=url,
    secret_key="test-secret-key-" + "x" * 32,
    media_dir=tmp / "media",
    ratelimit_enabled=False,
)
app = create_app(settings)
app.config["WTF_CSRF_ENABLED"] = False
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def _solid_png() -> bytes:
    image = Image.new("RGBA", SIZE, (30, 120, 200, 128))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match is not None
    return int(match.group(1)) * 1024


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
def test_thirteen_parallel_crops_of_a_40_megapixel_photo_stay_under_a_gigabyte(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'crops.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    data = _solid_png()
    assert len(data) < 200_000  # the probe: a tiny file that decodes to 160 MB
    with transaction(make_sessionmaker(engine)) as session:
        create_user(
            session, None, email="e@zuiderhaven.test", name="E", role=Role.EDITOR, password=PASSWORD
        )
        story = make.story(session)
        prepared = photos.prepare_photos([photos.PhotoUpload(data, "Een blauw vlak")])
        assert prepared[0].image.format == "PNG"  # alpha: no JPEG master, no draft decoding
        [photo] = photos.attach_photos(
            session, None, story, prepared, FileSystemStorage(tmp_path / "media")
        )
        photo_id = photo.id
    engine.dispose()

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path), url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{int(server.stdout.readline())}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = urllib.parse.urlencode({"email": "e@zuiderhaven.test", "password": PASSWORD})
        with opener.open(f"{base}/sign-in", form.encode(), timeout=30) as answer:
            assert answer.url.endswith("/dashboard")
        before = _peak_rss(server.pid)
        crops = [(k.key, s) for k in all_kinds() for s in k.images][:13]
        assert len({(key, spec.name) for key, spec in crops}) == 13  # thirteen different crops

        def fetch(crop: tuple[str, ImageSpec]) -> tuple[int, tuple[int, int]]:
            key, spec = crop
            address = f"{base}/media/photos/{photo_id}/{key}?spec={spec.name}"
            with opener.open(address, timeout=600) as answer:
                body = answer.read()
            with Image.open(io.BytesIO(body)) as image:
                return answer.status, image.size

        with ThreadPoolExecutor(13) as pool:
            answers = list(pool.map(fetch, crops))
        peak = _peak_rss(server.pid)
    finally:
        server.kill()
        server.wait(10)
    print(
        f"13 parallel crops: server peak {peak / MiB:.0f} MiB "
        f"(after start-up and sign-in {before / MiB:.0f} MiB)"
    )
    assert [status for status, _ in answers] == [200] * 13
    assert [size for _, size in answers] == [(s.width, s.height) for _, s in crops]
    assert peak < 1024 * MiB


def test_the_banded_alpha_reduction_premultiplies_like_pillow_without_a_full_size_copy() -> None:
    # Varying alpha with colour hidden under full transparency: premultiplying matters here.
    image = Image.new("RGBA", (1500, 1000), (255, 0, 0, 0))
    for x in range(0, 1500, 50):
        image.paste((0, 80 + x % 150, 200, 40 + (x * 7) % 216), (x, 0, x + 25, 1000))
    box = (101.5, 40.0, 1301.5, 940.0)
    ours = imaging._resize(image, (200, 150), box)
    # The same reduction premultiplied in one piece: banding changes no pixel.
    region = image.crop((101, 40, 1302, 940)).convert("RGBa").reduce((4, 4))
    whole = region.resize((200, 150), Image.Resampling.LANCZOS, box=(0.125, 0, 300.125, 225))
    assert ImageChops.difference(ours, whole.convert("RGBA")).getbbox() is None
    # As close to a fair Lanczos resize (no reduction at all) as Pillow's own at the same gap.
    fair = image.resize((200, 150), Image.Resampling.LANCZOS, box=box)
    pillows = image.resize(
        (200, 150), Image.Resampling.LANCZOS, box=box, reducing_gap=imaging._ALPHA_REDUCING_GAP
    )
    ours_off = ImageStat.Stat(ImageChops.difference(ours, fair)).mean
    pillows_off = ImageStat.Stat(ImageChops.difference(pillows, fair)).mean
    assert max(ours_off) <= max(pillows_off) + 1
    assert ours.getchannel("R").getextrema()[1] <= 40  # nothing bleeds from the transparent red


def test_crops_render_on_two_threads_of_the_process_however_many_ask() -> None:
    data = _small_png()
    with ThreadPoolExecutor(13) as pool:
        sizes = list(
            pool.map(lambda n: imaging.make_variant(data, width=20 + n, height=10), range(13))
        )
    assert [Image.open(io.BytesIO(size)).size for size in sizes] == [
        (20 + n, 10) for n in range(13)
    ]
    renderers = [t for t in threading.enumerate() if t.name.startswith(imaging.RENDER_THREADS)]
    assert 1 <= len(renderers) <= imaging.CONCURRENT_CROPS == 2
    with pytest.raises(imaging.ImageRejectedError):
        imaging.thumbnail(b"not an image", width=50)  # an error reaches the caller


def _small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()
