"""Where media bytes live: a small content-addressed Storage port, a filesystem adapter and a fake.

Keys are the SHA-256 of the content plus a suffix, so storing the same photo twice is free and a key
can never be turned into a path outside the storage root.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from planner.errors import NotFoundError, ValidationError

#: ``<64 lowercase hex><suffix>``, optionally written with its fan-out (``ab/cd/<name>``) as
#: url_path() gives it. Nothing else, so no key can climb out of the root or name a directory.
_KEY_RE = re.compile(r"(?:([0-9a-f]{2})/([0-9a-f]{2})/)?(([0-9a-f]{64})(\.[a-z0-9]{1,8}))")
_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,8}")


class InvalidMediaKeyError(ValidationError):
    """A key that is not one this storage hands out (wrong shape, ``..``, stray slashes)."""

    code = "invalid-media-key"


class MediaNotFoundError(NotFoundError):
    code = "media-not-found"


def parse_key(key: str) -> str:
    """Return the canonical key (``<sha256><suffix>``) or raise InvalidMediaKeyError."""
    # fullmatch, not match with $: $ would accept a trailing newline.
    match = _KEY_RE.fullmatch(key)
    if match is None:
        raise InvalidMediaKeyError("This is not a valid media key.", field="key")
    fan_1, fan_2, name, digest, _suffix = match.groups()
    # A fanned-out key must agree with its own hash, or two spellings could name different files.
    if fan_1 is not None and (fan_1, fan_2) != (digest[:2], digest[2:4]):
        raise InvalidMediaKeyError("This is not a valid media key.", field="key")
    return str(name)


def make_key(data: bytes, suffix: str) -> str:
    """The key for ``data``: its SHA-256 in hex plus a lowercase suffix like ``.jpg``."""
    if not _SUFFIX_RE.fullmatch(suffix):
        raise InvalidMediaKeyError(
            "A media suffix is a dot and up to 8 lowercase letters or digits.", field="suffix"
        )
    return hashlib.sha256(data).hexdigest() + suffix


def fan_out(key: str) -> str:
    """The relative path of a key: two levels of directories keep any one directory small."""
    name = parse_key(key)
    return f"{name[:2]}/{name[2:4]}/{name}"


@runtime_checkable
class Storage(Protocol):
    """Content-addressed byte storage; every method accepts a key as put() or url_path() gave it."""

    def put(self, data: bytes, suffix: str) -> str:
        """Store ``data`` and return its key; storing the same bytes again is a no-op."""
        ...

    def read(self, key: str) -> bytes:
        """The stored bytes; raises MediaNotFoundError when the key is not stored."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the stored bytes, for serving without holding them twice."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the bytes; deleting a key that is not stored is not an error."""
        ...

    def url_path(self, key: str) -> str:
        """The path, relative to the media URL prefix, under which the web layer serves ``key``."""
        ...


class FileSystemStorage:
    """Files under ``root/ab/cd/<sha256><suffix>``, each written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file for ``key``, for adapters that serve files directly (e.g. send_file)."""
        return self.root / fan_out(key)

    def put(self, data: bytes, suffix: str) -> str:
        key = make_key(data, suffix)
        target = self.path(key)
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write a temporary file in the same directory and rename it into place: readers see either
        # no file or the whole file, and two writers of the same content end with the same bytes.
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return key

    def read(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError as exc:
            raise MediaNotFoundError("This media file does not exist.") from exc

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError as exc:
            raise MediaNotFoundError("This media file does not exist.") from exc

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def url_path(self, key: str) -> str:
        return fan_out(key)


class MemoryStorage:
    """The in-process fake used by tests of services and views; behaves like FileSystemStorage."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes, suffix: str) -> str:
        key = make_key(data, suffix)
        self.blobs.setdefault(key, bytes(data))
        return key

    def read(self, key: str) -> bytes:
        try:
            return self.blobs[parse_key(key)]
        except KeyError as exc:
            raise MediaNotFoundError("This media file does not exist.") from exc

    def open(self, key: str) -> BinaryIO:
        return io.BytesIO(self.read(key))

    def exists(self, key: str) -> bool:
        return parse_key(key) in self.blobs

    def delete(self, key: str) -> None:
        self.blobs.pop(parse_key(key), None)

    def url_path(self, key: str) -> str:
        return fan_out(key)
