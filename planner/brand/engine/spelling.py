"""Vale's spelling rules on Hunspell dictionaries (.dic/.aff), through spylls (pure Python).

A style may name its own dictionaries (`dic`/`aff`, or `dicpath` with `dictionaries`), add word
lists to ignore, and filter words out before the look-up; without a dictionary of its own it
uses en_US, which spylls ships. Vale's built-in `Vale.Spelling` also reads every dictionary in
`<StylesPath>/config/dictionaries` and every word list in `<StylesPath>/config/ignore`.
Words are cut from the text the way Vale's tokenizer cuts them, so the same words are judged.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import regex
from spylls.hunspell import Dictionary
from spylls.hunspell.readers import read_aff, read_dic
from spylls.hunspell.readers.file_reader import BaseReader

from planner.brand.engine import safety
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.rules import Hit, Rule, RunState, _bool, _strings, format_message

#: Vale's default filters: camelCase, trailing capitals (acronyms) and anything not a letter.
DEFAULT_FILTERS = (r"[A-Z]{1}[a-z]+[A-Z]+\w+", r"[A-Z]+$", r"[^a-zA-Z_']")
#: Dictionaries larger than this are refused: a style does not need more.
MAX_DICTIONARY_BYTES = 16 * 1024 * 1024

_NUMBER = regex.compile(r"^(?:[0-9]+[.,-]?)+$")
_NUMBER_UNITS = regex.compile(r"^[0-9]+([a-zA-Z]+)$")
_HEX = regex.compile(r"^0?[x][0-9A-Fa-f]+$")
_BINARY = regex.compile(r"^0[b][01]+$")
_HASH = regex.compile(r"^[0-9a-z]{40}$")

# --- Vale's word tokenizer (nlp.IterTokenizer) ----------------------------------------------
_SPECIAL = regex.compile(r"^(?:[A-Za-z]\.){2,}$|^[A-Z][a-z]{1,2}\.$")
_SANITIZE = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_PREFIXES = frozenset("$(\"['")
_SUFFIXES = frozenset(",)\"]!;.?:'")
_LETTER = regex.compile(r"\p{L}")


def tokenize(text: str) -> list[str]:
    """Words as Vale's tokenizer yields them: split at spaces, outer punctuation peeled off."""
    out = []
    for span in text.translate(_SANITIZE).split():
        # Peel with two indices, never by copying the token: a hostile "[[[[…" stays linear.
        start, end = 0, len(span)
        while start < end:
            if end - start <= 64 and _SPECIAL.match(span, start, end):
                break
            if span[start] in _PREFIXES:
                start += 1
            elif span[end - 1] in _SUFFIXES:
                end -= 1
            else:
                break
        if start < end and _LETTER.search(span, start, end):
            out.append(span[start:end])
    return out


class _TextReader(BaseReader):  # type: ignore[misc]  # spylls ships no type information
    """spylls' reader over bytes in memory, so a dictionary can be cleaned before it is read."""

    def __init__(self, data: bytes, encoding: str = "Windows-1252") -> None:
        self.data = data
        super().__init__(self._open(encoding))

    def _open(self, encoding: str) -> io.StringIO:
        return io.StringIO(self.data.decode(encoding, errors="surrogateescape"))

    def reset_encoding(self, encoding: str) -> None:
        self.reset_io(self._open(encoding))


def _without_phonetics(aff: bytes) -> bytes:
    # PHONE tables (sound-alike suggestions) are never used to check a word, and spylls
    # refuses some that Hunspell and Vale read.
    lines = aff.split(b"\n")
    return b"\n".join(line for line in lines if not line.lstrip().startswith(b"PHONE"))


@functools.lru_cache(maxsize=16)
def _load(dic: str, aff: str, stamp: tuple[float, float]) -> Dictionary:
    try:
        aff_bytes = Path(aff).read_bytes()
        dic_bytes = Path(dic).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read dictionary: {exc}", key="dic") from exc
    if len(aff_bytes) + len(dic_bytes) > MAX_DICTIONARY_BYTES:
        raise ConfigError(f"dictionary {Path(dic).name} is too large", key="dic")
    if not regex.search(rb"(?m)^\s*SET\s", aff_bytes):
        # Hunspell's default is ISO-8859-1, but Vale reads a file without SET as UTF-8.
        try:
            aff_bytes.decode("utf-8")
            dic_bytes.decode("utf-8")
            aff_bytes = b"SET UTF-8\n" + aff_bytes
        except UnicodeDecodeError:
            pass
    try:
        parsed_aff, context = read_aff(_TextReader(_without_phonetics(aff_bytes)))
        parsed_dic = read_dic(
            _TextReader(dic_bytes, encoding=context.encoding), aff=parsed_aff, context=context
        )
    except Exception as exc:  # spylls raises plain exceptions on malformed files
        raise ConfigError(f"dictionary {Path(dic).name} cannot be read: {exc}", key="dic") from exc
    return _vale_like(Dictionary(parsed_aff, parsed_dic))


def _vale_like(dictionary: Dictionary) -> Dictionary:
    # Vale's checker looks whole words up; Hunspell would split "human-friendly" at BREAK
    # characters and accept it when both halves are words.
    dictionary.aff.BREAK = []
    return dictionary


def load_dictionary(dic: Path, aff: Path) -> Dictionary:
    stamp = (dic.stat().st_mtime, aff.stat().st_mtime)
    return _load(str(dic), str(aff), stamp)


#: Where a system's Hunspell en_US lives (Debian's hunspell-en-us; $DICPATH first, as in Vale).
SYSTEM_DICTIONARY_FOLDERS = ("/usr/share/hunspell", "/usr/share/myspell/dicts")


def system_dictionary() -> tuple[Path, Path] | None:
    folders = [Path(p) for p in (os.environ.get("DICPATH", ""),) if p]
    folders += [Path(p) for p in SYSTEM_DICTIONARY_FOLDERS]
    return _find_pair(folders, "en_US")


@functools.lru_cache(maxsize=1)
def default_dictionary() -> Dictionary:
    """Vale's built-in language, en_US: the system's Hunspell en_US when installed (SCOWL's
    larger word list, closer to the one Vale embeds), else the en_US that spylls ships."""
    found = system_dictionary()
    if found is not None:
        return load_dictionary(*found)
    return _vale_like(Dictionary.from_files("en_US"))


def _read_words(path: Path) -> set[str]:
    words = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        word = line.strip()
        if word and word != "#":
            words.add(word)
    return words


class Spelling(Rule):
    extends = "spelling"

    def __init__(
        self,
        name: str,
        data: Mapping[str, Any],
        path: str,
        *,
        styles_path: Path | None = None,
        builtin: bool = False,
    ) -> None:
        super().__init__(name, data, path)
        custom = _bool(data.get("custom", False), path, "custom")
        append = _bool(data.get("append", False), path, "append")
        self.filters = []
        for pattern in _strings(data.get("filters"), path, "filters"):
            try:
                self.filters.append(regex.compile(pattern))
            except regex.error as exc:
                raise ConfigError(f"invalid filter {pattern!r}: {exc}", path=path) from exc
        if not custom:
            self.filters += [regex.compile(p) for p in DEFAULT_FILTERS]
        self.dictionaries: list[Dictionary] = []
        self.ignored: set[str] = set()
        self._exceptions: regex.Pattern[str] | None = None
        self._cache: dict[str, bool] = {}
        self._wants_default = False
        aff, dic = str(data.get("aff") or ""), str(data.get("dic") or "")
        styles = styles_path
        if aff and dic:
            found_aff, found_dic = _asset(styles, aff), _asset(styles, dic)
            if found_aff and found_dic:
                self.dictionaries.append(load_dictionary(found_dic, found_aff))
        if not self.dictionaries:
            folders = []
            dicpath = str(data.get("dicpath") or "")
            if dicpath:
                folder = next(
                    (
                        p
                        for p in (Path(dicpath), *([styles / dicpath] if styles else []))
                        if p.is_dir()
                    ),
                    None,
                )
                if folder is None:
                    raise ConfigError("unable to resolve dicpath", path=path, key="dicpath")
                folders.append(folder)
            if os.environ.get("DICPATH"):
                folders.append(Path(os.environ["DICPATH"]))
            for dict_name in _strings(data.get("dictionaries"), path, "dictionaries"):
                pair = _find_pair(folders, dict_name)
                if pair is None:
                    raise ConfigError(
                        f"dictionary '{dict_name}' not found in {[str(f) for f in folders]}",
                        path=path,
                        key="dictionaries",
                    )
                self.dictionaries.append(load_dictionary(*pair))
            # en_US is read on first use: most configurations never run it.
            self._wants_default = not self.dictionaries or append
        if builtin and styles is not None:
            folder = styles / "config" / "dictionaries"
            for dic_file in sorted(folder.glob("*.dic")) if folder.is_dir() else []:
                aff_file = dic_file.with_suffix(".aff")
                if aff_file.is_file():
                    self.dictionaries.append(load_dictionary(dic_file, aff_file))
            ignore_dir = styles / "config" / "ignore"
            for file in sorted(ignore_dir.rglob("*.txt")) if ignore_dir.is_dir() else []:
                self.ignored |= _read_words(file)
        elif not builtin:
            for entry in _strings(data.get("ignore"), path, "ignore"):
                candidates = [Path(entry)]
                if styles is not None:
                    candidates += [styles / entry, styles / "config" / "ignore" / entry]
                for candidate in candidates:
                    if candidate.is_file():
                        self.ignored |= _read_words(candidate)
                        break

    def set_vocab(self, accepted: list[str]) -> None:
        if accepted:
            self._exceptions = regex.compile("(?i)" + "|".join(accepted))

    def prepare(self) -> None:
        if self._wants_default:
            self.dictionaries.append(default_dictionary())
            self._wants_default = False

    def correct(self, word: str) -> bool:
        known = self._cache.get(word)
        if known is None:
            known = self._spelled(word)
            self._cache[word] = known
        return known

    def _spelled(self, word: str) -> bool:
        if word in self.ignored or word.lower() in self.ignored:
            return True
        if _NUMBER.match(word) or _HEX.match(word) or _BINARY.match(word) or _HASH.match(word):
            return True
        self.prepare()
        units = _NUMBER_UNITS.match(word)
        candidates = [word, word.lower()] + ([units.group(1)] if units else [])
        for dictionary in self.dictionaries:
            for candidate in candidates:
                try:
                    if dictionary.lookup(candidate):
                        return True
                except (IndexError, KeyError, ValueError):
                    continue
        return False

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        out = []
        reported: set[str] = set()
        for word in tokenize(text):
            if word in reported or any(safety.search(f, word) for f in self.filters):
                continue
            if self.correct(word):
                continue
            if self._exceptions is not None and safety.search(self._exceptions, word):
                continue
            # Vale reports a misspelling at its first occurrence in the block, once.
            reported.add(word)
            start = _first_word(text, word)
            out.append(Hit(start, start + len(word), format_message(self.message, word)))
        return out


def _first_word(text: str, word: str) -> int:
    # Vale locates the word as a whole word, passing over uses inside `code` or hyphenated
    # compounds ("remark-gfm" is not where "gfm" is misspelled).
    for m in regex.finditer(regex.escape(word), text):
        before = text[m.start() - 1] if m.start() else " "
        after = text[m.end()] if m.end() < len(text) else " "
        if not any(c.isalnum() or c in "-`_" for c in (before, after)):
            return int(m.start())
    found = text.find(word)
    return max(found, 0)


def _asset(styles: Path | None, name: str) -> Path | None:
    for candidate in (Path(name), *([styles / name] if styles else [])):
        if candidate.is_file():
            return candidate
    return None


def _find_pair(folders: list[Path], name: str) -> tuple[Path, Path] | None:
    for folder in folders:
        dic, aff = folder / f"{name}.dic", folder / f"{name}.aff"
        if dic.is_file() and aff.is_file():
            return dic, aff
    return None
