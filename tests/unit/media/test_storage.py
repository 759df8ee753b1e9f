"""Every Storage adapter, and the fake, behave the same: content-addressed, idempotent, path-safe."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from planner.media.storage import (
    FileSystemStorage,
    InvalidMediaKeyError,
    MediaNotFoundError,
    MemoryStorage,
    Storage,
)

DATA = b"\xff\xd8 pretend this is a jpeg \xff\xd9"
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["filesystem", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    makers: dict[str, Callable[[], Storage]] = {
        "filesystem": lambda: FileSystemStorage(tmp_path / "media"),
        "memory": MemoryStorage,
    }
    return makers[request.param]()


def test_storage_adapters_satisfy_the_protocol(storage: Storage) -> None:
    assert isinstance(storage, Storage)


def test_storage_put_returns_content_address(storage: Storage) -> None:
    assert storage.put(DATA, ".jpg") == f"{DIGEST}.jpg"


def test_storage_put_then_read_round_trips(storage: Storage) -> None:
    key = storage.put(DATA, ".jpg")
    assert storage.read(key) == DATA
    with storage.open(key) as stream:
        assert stream.read() == DATA
    assert storage.exists(key)


def test_storage_put_is_idempotent(storage: Storage) -> None:
    first = storage.put(DATA, ".jpg")
    second = storage.put(DATA, ".jpg")
    assert first == second
    assert storage.read(first) == DATA


def test_storage_keeps_different_suffixes_apart(storage: Storage) -> None:
    assert storage.put(DATA, ".jpg") != storage.put(DATA, ".png")


def test_storage_delete_removes_and_tolerates_missing(storage: Storage) -> None:
    key = storage.put(DATA, ".jpg")
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # a second delete is not an error
    with pytest.raises(MediaNotFoundError):
        storage.read(key)
    with pytest.raises(MediaNotFoundError):
        storage.open(key)


def test_storage_url_path_fans_out_and_is_accepted_back_as_a_key(storage: Storage) -> None:
    key = storage.put(DATA, ".jpg")
    path = storage.url_path(key)
    assert path == f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg"
    assert storage.read(path) == DATA


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        f"../{DIGEST}.jpg",
        f"{DIGEST[:2]}/../{DIGEST}.jpg",
        f"/{DIGEST}.jpg",
        f"{DIGEST}.jpg\n",
        f"{DIGEST.upper()}.jpg",
        f"{DIGEST}.JPG",
        f"{DIGEST}",
        f"{DIGEST}.jpg/..",
        f"ff/ff/{DIGEST}.jpg",  # a fan-out that does not match the hash
        f"{DIGEST[:2]}\\{DIGEST[2:4]}\\{DIGEST}.jpg",
        "",
    ],
)
def test_storage_refuses_keys_it_did_not_hand_out(storage: Storage, key: str) -> None:
    for action in (storage.read, storage.exists, storage.delete, storage.url_path):
        with pytest.raises(InvalidMediaKeyError):
            action(key)


@pytest.mark.parametrize("suffix", ["jpg", ".JPG", "./x", ".jp/g", "", ".toolongsuffix"])
def test_storage_refuses_odd_suffixes(storage: Storage, suffix: str) -> None:
    with pytest.raises(InvalidMediaKeyError):
        storage.put(DATA, suffix)


def test_filesystem_storage_writes_under_a_two_level_fan_out(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    key = storage.put(DATA, ".jpg")
    expected = tmp_path / DIGEST[:2] / DIGEST[2:4] / f"{DIGEST}.jpg"
    assert storage.path(key) == expected
    assert expected.read_bytes() == DATA
    # The temporary file was renamed into place, not left behind.
    assert [p.name for p in expected.parent.iterdir()] == [expected.name]


def test_filesystem_storage_does_not_rewrite_existing_content(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)
    key = storage.put(DATA, ".jpg")
    stat_before = storage.path(key).stat()
    storage.put(DATA, ".jpg")
    assert storage.path(key).stat().st_ino == stat_before.st_ino
