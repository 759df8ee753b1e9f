"""Vale rule files read, validated and compiled into objects that find matches in a unit of text.

Each `extends` type keeps Vale's semantics (how tokens become a pattern, how messages are
formatted, which keys exist), because style packages are written against Vale's behaviour.
This module is long because the nine rule types share their parsing, message formatting and
exceptions, and each is small; splitting them would scatter Vale's one set of semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import regex

from planner.brand.engine import safety
from planner.brand.engine.alerts import LEVELS, Action
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.formula import Formula, FormulaError
from planner.brand.engine.matching import is_literal, select

COMMON_KEYS = frozenset(
    {"extends", "message", "description", "level", "scope", "link", "limit", "action", "name"}
)
TYPE_KEYS: dict[str, frozenset[str]] = {
    "existence": frozenset(
        {"ignorecase", "nonword", "raw", "tokens", "exceptions", "append", "vocab"}
    ),
    "substitution": frozenset(
        {"ignorecase", "nonword", "swap", "exceptions", "pos", "vocab", "capitalize"}
    ),
    "occurrence": frozenset({"max", "min", "token", "ignorecase"}),
    "repetition": frozenset({"tokens", "max", "ignorecase", "alpha", "exceptions", "vocab"}),
    "consistency": frozenset({"either", "ignorecase", "nonword"}),
    "conditional": frozenset({"first", "second", "exceptions", "ignorecase", "vocab"}),
    "capitalization": frozenset(
        {"match", "style", "exceptions", "indicators", "threshold", "prefix", "vocab"}
    ),
    "metric": frozenset({"formula", "condition"}),
    "readability": frozenset({"metrics", "grade"}),
    "spelling": frozenset(
        {
            "custom",
            "dicpath",
            "dictionaries",
            "filters",
            "ignore",
            "append",
            "aff",
            "dic",
            "exceptions",
            "threshold",
        }
    ),
    "sequence": frozenset({"tokens", "ignorecase"}),
    "script": frozenset({"script"}),
}
#: Rule types Vale runs that this engine does not: loaded, reported by name, never run.
DISABLED_TYPES = {
    "script": "script rules need Vale's Tengo script engine, which this engine does not have; "
    "the rule is imported but not run",
    "sequence": "sequence rules match part-of-speech tags (NN, VB…) and this engine has no "
    "part-of-speech tagger; the rule is imported but not run",
}

#: The first name of every scope Vale accepts; `code`, `link`, `strong` and `emphasis` are
#: refused by Vale itself ("use raw instead").
VALE_SCOPES = frozenset(
    {
        "text",
        "heading",
        "table",
        "figure",
        "list",
        "paragraph",
        "sentence",
        "alt",
        "title",
        "blockquote",
        "summary",
        "raw",
    }
)
VALE_INLINE_SCOPES = frozenset({"code", "link", "strong", "emphasis"})
#: Names a block of this engine can carry (see markup.py); any other name in a scope is a
#: format (`text.html`, `paragraph.rst`) and matches only files of that format.
STRUCTURE_NAMES = frozenset(
    {
        "text",
        "heading",
        *(f"h{n}" for n in range(1, 7)),
        "table",
        "header",
        "cell",
        "caption",
        "figure",
        "list",
        "paragraph",
        "sentence",
        "alt",
        "attr",
        "title",
        "blockquote",
        "summary",
        "raw",
    }
)
#: Scopes Vale has that Markdown and plain text never produce here.
UNSEEN_SCOPES = frozenset({"title", "figure", "caption"})


@dataclass(frozen=True, slots=True)
class Selector:
    """One scope entry: all `positive` names present, no `negative` group wholly present.

    `formats` names file formats (md, txt, html…) the entry is limited to; `unit` says what the
    rule sees: whole blocks, sentences, the raw file or the summary of all prose.
    """

    positive: frozenset[str]
    negative: tuple[frozenset[str], ...]
    unit: str  # "block", "sentence", "raw" or "summary"
    formats: frozenset[str] = frozenset()
    negative_formats: frozenset[str] = frozenset()

    def accepts(self, scopes: frozenset[str], fmt: str = "") -> bool:
        if self.formats and fmt not in self.formats:
            return False
        if fmt and fmt in self.negative_formats:
            return False
        return self.positive <= scopes and not any(n <= scopes for n in self.negative)

    def accepts_file(self, fmt: str) -> bool:
        return (not self.formats or fmt in self.formats) and fmt not in self.negative_formats


def _scope_error(item: str, path: str) -> ConfigError:
    return ConfigError(
        f"'{item}' is not a valid scope; must be one of {sorted(VALE_SCOPES)}",
        path=path,
        key="scope",
    )


def parse_scope(value: Any, path: str) -> tuple[tuple[Selector, ...], list[str]]:
    """Vale's scope: a name, `~name` (not), `a & b` (and); a list means any of them.

    Validated as Vale validates it: an unknown first name is an error, a format-specific name
    (`text.html`) is accepted and only matches files of that format.
    """
    items = value if isinstance(value, list) else [value if value is not None else "text"]
    selectors = []
    notes: list[str] = []
    for item in items:
        text = str(item).strip()
        parts = [p.strip() for p in text.split("&")]
        if len(parts) == 1:
            first = parts[0].removeprefix("~").split(".")[0].strip()
            if first in VALE_INLINE_SCOPES:
                raise ConfigError(
                    f"scope '{first}' is no longer supported; use 'raw' instead.",
                    path=path,
                    key="scope",
                )
            if first not in VALE_SCOPES:
                raise _scope_error(text, path)
        positive: set[str] = set()
        negative: list[frozenset[str]] = []
        formats: set[str] = set()
        negative_formats: set[str] = set()
        for part in parts:
            negated = part.startswith("~")
            names = [n.strip() for n in part.removeprefix("~").split(".") if n.strip()]
            structural = {n for n in names if n in STRUCTURE_NAMES}
            tags = {n for n in names if n not in STRUCTURE_NAMES}
            for name in sorted(structural & UNSEEN_SCOPES):
                notes.append(f"scope {name!r} never occurs in Markdown or plain text")
            if negated:
                if structural:
                    negative.append(frozenset(structural))
                elif tags:
                    negative_formats |= tags
            else:
                positive |= structural
                formats |= tags
        unit = "block"
        for special in ("raw", "summary", "sentence"):
            if special in positive:
                unit = special
                break
        positive -= {"raw", "summary", "sentence"}
        if unit == "sentence":
            positive.add("paragraph")  # Vale splits only prose paragraphs into sentences
        selectors.append(
            Selector(
                frozenset(positive),
                tuple(negative),
                unit,
                frozenset(formats),
                frozenset(negative_formats),
            )
        )
    return tuple(selectors), notes


@dataclass(frozen=True, slots=True)
class Hit:
    """A finding relative to the unit it was found in."""

    start: int
    end: int
    message: str
    action: Action | None = None


@dataclass
class RunState:
    """What a rule may remember across the units of one document (conditional, consistency)."""

    memory: dict[str, Any] = field(default_factory=dict)
    #: Per-block literal hits from the shared word-list scan, keyed by block start.
    literal_hits: Mapping[int, Mapping[str, list[tuple[int, int, int]]]] = field(
        default_factory=dict
    )


_WHITESPACE = regex.compile(r"\s+")


def _collapse(text: str) -> str:
    # Vale's messages show a match's whitespace as single spaces ("'y. T' should have one space").
    return str(_WHITESPACE.sub(" ", text))


def format_message(message: str, *subs: str) -> str:
    """Fill `%s` placeholders in order like Vale's FormatMessage (extra ones repeat the last)."""
    if not subs or "%s" not in message:
        return message
    pieces = message.split("%s")
    out = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        out.append(_collapse(subs[min(i, len(subs) - 1)]))
        out.append(piece)
    return "".join(out)


def _to_sentence(words: list[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return ", ".join(quoted[:-1]) + ", or " + quoted[-1]


def _compile(pattern: str, path: str, *, ignorecase: bool = False) -> regex.Pattern[str]:
    flags = regex.MULTILINE | (regex.IGNORECASE if ignorecase else 0)
    # Vale's patterns are written for Go's engines: `(?i)` or `(?m)` may appear mid-pattern.
    try:
        return regex.compile(pattern, flags)
    except (regex.error, ValueError, TypeError) as exc:
        raise ConfigError(f"invalid regular expression {pattern!r}: {exc}", path=path) from exc


def _strings(value: Any, path: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(f"'{key}' must be a list", path=path, key=key)
    return ["" if v is None else str(v) for v in value]


def _bool(value: Any, path: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"'{key}' must be true or false", path=path, key=key)


class Rule:
    """Common attributes of every rule type; subclasses implement `find`."""

    extends = ""
    words_rule = False  # whether vocabulary terms act as exceptions

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        self.name = name
        self.path = path
        self.message = str(data.get("message", ""))
        self.description = str(data.get("description") or "")
        self.link = str(data.get("link") or "")
        level = data.get("level", "warning")  # Vale's default level
        if level not in LEVELS:
            raise ConfigError(f"'level' must be one of {list(LEVELS)}", path=path, key="level")
        self.level = str(level)
        self.limit = int(data.get("limit") or 0)
        self.scope, self.notes = parse_scope(data.get("scope", "text"), path)
        self.action = _parse_action(data.get("action"), path)
        self.disabled_reason: str | None = None

    @property
    def status(self) -> str:
        if self.disabled_reason:
            return "disabled"
        return "partial" if self.notes else "supported"

    def literal_tokens(self) -> tuple[list[str], bool] | None:
        """Tokens the shared automaton can match for this rule, and whether case is ignored."""
        return None

    def set_vocab(self, accepted: list[str]) -> None:
        """Accepted vocabulary terms become exceptions of word rules (Vale's behaviour)."""

    def prepare(self) -> None:
        """Load what the rule needs before its first run, outside its time budget."""

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        raise NotImplementedError


def _parse_action(value: Any, path: str) -> Action:
    if value is None:
        return Action()
    if not isinstance(value, Mapping):
        raise ConfigError(
            "'action' must be a mapping with name and params", path=path, key="action"
        )
    unknown = set(value) - {"name", "params"}
    if unknown:
        raise ConfigError(f"unknown key 'action.{sorted(unknown)[0]}'", path=path, key="action")
    params = value.get("params")
    return Action(str(value.get("name") or ""), tuple(str(p) for p in params) if params else None)


class _Exceptions:
    """Exceptions (and vocabulary) as Vale applies them: to the whole observed match."""

    def __init__(self, items: list[str], path: str) -> None:
        self.items = [i for i in items if i]
        self.path = path
        self._compile()

    def _compile(self) -> None:
        if self.items:
            ordered = sorted(self.items, key=len, reverse=True)
            # Vale: `\b(?:(?-i)a|(?-i)b)\b` searched in the observed match; an exception is
            # case-sensitive unless it starts with (?i).
            cased = ordered  # compiled case-sensitively already
            if any(i.startswith("(?i)") for i in ordered):
                cased = [f"(?i:{i[4:]})" if i.startswith("(?i)") else f"(?-i:{i})" for i in ordered]
            self.pattern: regex.Pattern[str] | None = _compile(
                r"\b(?:" + "|".join(cased) + r")\b", self.path
            )
            phrases = [i for i in ordered if " " in i]
            self.phrases = (
                _compile(r"\b(?:" + "|".join(phrases) + r")\b", self.path) if phrases else None
            )
        else:
            self.pattern = None
            self.phrases = None

    def extend(self, more: list[str]) -> None:
        self.items += [m for m in more if m and m not in self.items]
        self._compile()

    def excludes(self, observed: str, text: str, start: int, end: int) -> bool:
        if self.pattern is None:
            return False
        if safety.search(self.pattern, observed):
            return True
        if self.phrases is not None:
            for m in safety.finditer(self.phrases, text):
                if m.start() <= start and end <= m.end():
                    return True
        return False


class Existence(Rule):
    extends = "existence"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        self.nonword = _bool(data.get("nonword", False), path, "nonword")
        self.append = _bool(data.get("append", False), path, "append")
        self.use_vocab = _bool(data.get("vocab", True), path, "vocab")
        self.raw = "".join(_strings(data.get("raw"), path, "raw"))
        self.tokens = [t for t in _strings(data.get("tokens"), path, "tokens") if t.strip()]
        if not self.tokens and not self.raw:
            raise ConfigError("an existence rule needs 'tokens' or 'raw'", path=path, key="tokens")
        self.exceptions = _Exceptions(_strings(data.get("exceptions"), path, "exceptions"), path)
        self.words_rule = not self.nonword
        self._literal = (
            not self.raw and not self.nonword and all(is_literal(t) for t in self.tokens)
        )
        body = "|".join(self.tokens)
        template = rf"\b(?:{body})\b" if (not self.nonword and self.tokens) else f"(?:{body})"
        pattern = template + self.raw if self.append else self.raw + template
        self.pattern = _compile(pattern, path, ignorecase=self.ignorecase)

    def literal_tokens(self) -> tuple[list[str], bool] | None:
        return (self.tokens, self.ignorecase) if self._literal else None

    def set_vocab(self, accepted: list[str]) -> None:
        if self.use_vocab and not self.nonword:
            self.exceptions.extend(accepted)

    def spans(self, text: str, base: int, state: RunState) -> list[tuple[int, int]]:
        if self._literal and base in state.literal_hits:
            hits = state.literal_hits[base].get(self.name, [])
            return [(s, e) for s, e, _ in select(hits)]
        return [m.span() for m in safety.finditer(self.pattern, text)]

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        out = []
        for start, end in self.spans(text, base, state):
            observed = text[start:end]
            if self.exceptions.excludes(observed.strip(), text, start, end):
                continue
            out.append(Hit(start, end, format_message(self.message, observed)))
        return out


_CAPTURE_OPEN = regex.compile(r"(?<!\\)\((?!\?)")
_GO_GROUP_REF = regex.compile(r"\$(\d+)|\$\{(\w+)\}")
_PHRASE = regex.compile(r"[\p{L}\p{N} -]*")


def _python_template(replacement: str) -> str:
    """A Go replacement template ($1, ${name}) as a Python one (\\g<1>, \\g<name>)."""
    escaped = replacement.replace("\\", "\\\\")
    return str(_GO_GROUP_REF.sub(lambda m: f"\\g<{m.group(1) or m.group(2)}>", escaped))


class Substitution(Rule):
    extends = "substitution"
    words_rule = True

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        self.nonword = _bool(data.get("nonword", False), path, "nonword")
        self.use_vocab = _bool(data.get("vocab", True), path, "vocab")
        self.capitalize = _bool(data.get("capitalize", False), path, "capitalize")
        # Vale before `capitalize` existed wrote an all-lowercase replacement with the observed
        # capital ("Does not" -> "Doesn't"); published packages (Microsoft) are tested against
        # that, so a rule without the key keeps it for lowercase replacements only.
        self._legacy_capitals = "capitalize" not in data
        swap = data.get("swap")
        if not isinstance(swap, Mapping) or not swap:
            raise ConfigError("a substitution rule needs a 'swap' mapping", path=path, key="swap")
        # Vale tries the longest key first (equal lengths keep the file's order here).
        pairs = sorted(
            ((str(k), "" if v is None else str(v)) for k, v in swap.items()),
            key=lambda kv: -len(kv[0]),
        )
        self.keys = [k for k, _ in pairs]
        self.replacements = [v for _, v in pairs]
        #: Per key: the key itself when its replacement uses $1…, to expand against the match.
        self._expanders: list[regex.Pattern[str] | None] = []
        matchable = []
        for key, replacement in pairs:
            opens = key.count("(")
            if opens != key.count("(?") + key.count("\\("):
                # Vale matches with the groups made non-capturing; $1 in the replacement is
                # then filled in by matching the original key against the observed text.
                matchable.append(_CAPTURE_OPEN.sub("(?:", key))
            else:
                matchable.append(key)
            uses_groups = bool(regex.search(r"\$\d+|\$\{\w+\}", replacement))
            self._expanders.append(
                _compile(key, path, ignorecase=self.ignorecase) if uses_groups else None
            )
        if data.get("pos"):
            self.notes.append("'pos' (part-of-speech filter) is ignored")
        self.exceptions = _Exceptions(_strings(data.get("exceptions"), path, "exceptions"), path)
        self._literal = not self.nonword and all(is_literal(k) for k in self.keys)
        body = "|".join(f"({k})" for k in matchable)
        pattern = f"(?:{body})" if self.nonword else rf"\b(?:{body})\b"
        self.pattern = _compile(pattern, path, ignorecase=self.ignorecase)
        self._expected: list[regex.Pattern[str] | None] = []
        for replacement in self.replacements:
            compiled = None
            if not _PHRASE.fullmatch(replacement):
                try:
                    compiled = regex.compile(f"^(?:{replacement})$")
                except (regex.error, ValueError, TypeError):
                    compiled = None
            self._expected.append(compiled)

    def literal_tokens(self) -> tuple[list[str], bool] | None:
        return (self.keys, self.ignorecase) if self._literal else None

    def set_vocab(self, accepted: list[str]) -> None:
        if self.use_vocab:
            self.exceptions.extend(accepted)

    def _expected_for(self, index: int, observed: str) -> str:
        expected = self.replacements[index]
        if self.capitalize and observed[:1] and observed == observed[:1].upper() + observed[1:]:
            expected = expected[:1].upper() + expected[1:]
        expander = self._expanders[index]
        if expander is not None:
            expected = safety.sub(expander, _python_template(expected), observed)
        return expected

    def _same(self, expected: str, observed: str, index: int) -> bool:
        # Vale's matchToken: a plain phrase compares literally, anything else as an anchored,
        # case-sensitive pattern.
        pattern = self._expected[index]
        if pattern is None or self._expanders[index] is not None:
            return expected == observed
        return bool(safety.match(pattern, observed))

    def _capitalise(self, observed: str, params: list[str]) -> bool:
        capital = bool(observed[:1]) and observed == observed[:1].upper() + observed[1:]
        if self.capitalize:
            return capital
        return self._legacy_capitals and capital and all(p == p.lower() for p in params)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        if self._literal and base in state.literal_hits:
            found = select(state.literal_hits[base].get(self.name, []))
        else:
            found = [
                (m.start(), m.end(), (m.lastindex or 1) - 1)
                for m in safety.finditer(self.pattern, text)
            ]
        out = []
        for start, end, index in found:
            observed = text[start:end].strip()
            expected = self._expected_for(index, observed)
            if self._same(expected, observed, index) or self.exceptions.excludes(
                observed, text, start, end
            ):
                continue
            message = self.message
            action = self.action
            if action.name == "replace" and not action.params:
                params = expected.split("|")
                if self._capitalise(observed, params):
                    params = [p[:1].upper() + p[1:] for p in params]
                action = Action("replace", tuple(params))
                expected = _to_sentence(params)
                # Vale quotes the alternatives itself; drop the quotes around the first %s.
                for spec in ("'%s'", '"%s"'):
                    if message.count(spec) == 2:
                        message = message.replace(spec, "%s", 1)
            out.append(Hit(start, end, format_message(message, expected, observed), action))
        return out


class Occurrence(Rule):
    extends = "occurrence"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        token = data.get("token")
        if not token:
            raise ConfigError("an occurrence rule needs 'token'", path=path, key="token")
        ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        self.pattern = _compile(str(token), path, ignorecase=ignorecase)
        self.max = int(data.get("max") or 0)
        self.min = int(data.get("min") or 0)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        spans = [m.span() for m in safety.finditer(self.pattern, text)]
        count = len(spans)
        if (self.max and count > self.max) or (self.min and count < self.min):
            message = format_message(self.message, str(count))
            if not spans:
                return [Hit(0, 0, message)]
            # Vale points at the first match that is neither blank nor code (masked as *).
            for start, end in spans:
                observed = text[start:end].strip()
                if observed and regex.sub(r"[*@]", "", observed):
                    return [Hit(start, end, message)]
        return []


class Repetition(Rule):
    extends = "repetition"
    words_rule = True

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        tokens = _strings(data.get("tokens"), path, "tokens")
        if not tokens:
            raise ConfigError("a repetition rule needs 'tokens'", path=path, key="tokens")
        self.ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        self.alpha = _bool(data.get("alpha", False), path, "alpha")
        self.use_vocab = _bool(data.get("vocab", True), path, "vocab")
        self.max = int(data.get("max") or 0)
        self.pattern = _compile("(" + "|".join(tokens) + ")", path, ignorecase=self.ignorecase)
        self.exceptions = _Exceptions(_strings(data.get("exceptions"), path, "exceptions"), path)

    def set_vocab(self, accepted: list[str]) -> None:
        if self.use_vocab:
            self.exceptions.extend(accepted)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        out = []
        prev = ""
        prev_start = 0
        count = 0
        for m in safety.finditer(self.pattern, text):
            current = m.group().strip()
            same = (current.casefold() == prev.casefold()) if self.ignorecase else current == prev
            hit = same and current != "" and (not self.alpha or current.isalpha())
            if hit:
                count += 1
            if hit and count > self.max:
                span_text = text[prev_start : m.end()]
                # Two sentences ("… that. That …") are not a stutter.
                if not regex.search(r"[.!?]\s", span_text) and not self.exceptions.excludes(
                    span_text, text, prev_start, m.end()
                ):
                    out.append(Hit(prev_start, m.end(), format_message(self.message, current)))
                    count = 0
            prev, prev_start = current, m.start()
        return out


class Consistency(Rule):
    """Both spellings of a pair in one document: every use of the later-seen one is flagged."""

    extends = "consistency"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        either = data.get("either")
        if not isinstance(either, Mapping) or not either:
            raise ConfigError(
                "a consistency rule needs an 'either' mapping", path=path, key="either"
            )
        ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        nonword = _bool(data.get("nonword", False), path, "nonword")
        self.pairs = []
        for left, right in either.items():
            template = "(?:({0})|({1}))" if nonword else r"\b(?:({0})|({1}))\b"
            self.pairs.append(_compile(template.format(left, right), path, ignorecase=ignorecase))

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        chosen: dict[int, int] = state.memory.setdefault(self.name, {})
        out = []
        for n, pattern in enumerate(self.pairs):
            for m in safety.finditer(pattern, text):
                side = 1 if m.group(1) is not None else 2
                first = chosen.setdefault(n, side)
                if side != first:
                    out.append(Hit(m.start(), m.end(), format_message(self.message, m.group())))
        return out


class Conditional(Rule):
    extends = "conditional"
    words_rule = True

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        if not data.get("first") or not data.get("second"):
            raise ConfigError(
                "a conditional rule needs 'first' and 'second'", path=path, key="first"
            )
        ignorecase = _bool(data.get("ignorecase", False), path, "ignorecase")
        self.use_vocab = _bool(data.get("vocab", True), path, "vocab")
        self.first = _compile(str(data["first"]), path, ignorecase=ignorecase)
        self.second = _compile(str(data["second"]), path, ignorecase=ignorecase)
        self.exceptions = _Exceptions(_strings(data.get("exceptions"), path, "exceptions"), path)

    def set_vocab(self, accepted: list[str]) -> None:
        if self.use_vocab:
            self.exceptions.extend(accepted)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        # Definitions seen so far count for the rest of the document, as in Vale.
        defined: set[str] = state.memory.setdefault(self.name, set())
        for m in safety.finditer(self.second, text):
            # Every capture group of `second` may hold a definition (Vale reads them all).
            defined.update(g for g in m.groups() if g)
        out = []
        for m in safety.finditer(self.first, text):
            observed = m.group()
            if observed in defined or self.exceptions.excludes(observed, text, m.start(), m.end()):
                continue
            out.append(Hit(m.start(), m.end(), format_message(self.message, observed)))
        return out


_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "en",
        "for",
        "if",
        "in",
        "nor",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "v",
        "v.",
        "vs",
        "vs.",
        "via",
        "with",
        "from",
        "into",
        "over",
        "up",
        "de",
        "het",
        "een",
        "van",
    ]
)


class Capitalization(Rule):
    extends = "capitalization"
    words_rule = True

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.match = str(data.get("match") or "")
        if not self.match:
            raise ConfigError("a capitalization rule needs 'match'", path=path, key="match")
        self.indicators = _strings(data.get("indicators"), path, "indicators")
        self.threshold = float(data.get("threshold") or 0.8)
        self.use_vocab = _bool(data.get("vocab", True), path, "vocab")
        self.exceptions = _Exceptions(_strings(data.get("exceptions"), path, "exceptions"), path)
        prefix = str(data.get("prefix") or "")
        self.prefix = _compile(prefix, path) if prefix else None
        self._token_re: regex.Pattern[str] | None = None
        self.custom = (
            None
            if self.match in ("$title", "$sentence", "$lower", "$upper")
            else _compile(self.match, path)
        )

    def set_vocab(self, accepted: list[str]) -> None:
        if self.use_vocab:
            self.exceptions.extend(accepted)
            self._token_re = None

    def _excepted(self, word: str) -> bool:
        return self.exceptions.pattern is not None and bool(
            safety.search(self.exceptions.pattern, word)
        )

    def _tokens(self, text: str) -> list[str]:
        # Vale: an exception (possibly several words) counts as one token.
        if self._token_re is None:
            body = r"[\p{N}\p{L}*]+\S*"
            if self.exceptions.pattern is not None:
                body = self.exceptions.pattern.pattern + "|" + body
            self._token_re = regex.compile(body)
        return [m.group() for m in safety.finditer(self._token_re, text)]

    def _sentence_ok(self, text: str) -> bool:
        """Vale's `$sentence`: the first word capitalised, the rest as a sentence would have
        them (lowercase, but exceptions as listed and capitals after an indicator), and at
        least `threshold` of the words right."""
        if self.prefix is not None:
            m = safety.match(self.prefix, text)
            if m:
                text = text[m.end() :]
        words = self._tokens(text)
        if not words:
            return True
        good = 0.0
        prev = ""
        started = False  # the first word with a letter is the one a sentence capitalises
        for i, word in enumerate(words):
            title = word[:1].upper() + word[1:].lower()
            after_indicator = bool(prev) and any(prev.endswith(x) for x in self.indicators)
            has_letter = bool(regex.search(r"\p{L}", word))
            if self._excepted(word):
                good += 1
            elif i == 0 and word != title:
                return False
            elif not has_letter:
                good += 1
            elif not started or after_indicator:
                good += word == title
            elif word == word.lower():
                good += 1
            started = started or has_letter
            prev = word
        return good / len(words) >= self.threshold

    def _title_ok(self, text: str) -> bool:
        if self.prefix is not None:
            m = safety.match(self.prefix, text)
            if m:
                text = text[m.end() :]
        words = self._tokens(text)
        if not words:
            return True
        good = 0.0
        for i, word in enumerate(words):
            first_last = i in (0, len(words) - 1)
            if self._excepted(word) or not regex.match(r"\p{L}", word):
                good += 1
            elif word.lower() in _SMALL_WORDS and not first_last:
                good += word == word.lower()
            else:
                good += word[:1].isupper() or word == word.upper()
        return good / len(words) >= self.threshold

    def ok(self, text: str) -> bool:
        if self.match == "$sentence":
            return self._sentence_ok(text)
        if self.match == "$title":
            return self._title_ok(text)
        if self.match == "$lower":
            return text == text.lower() or self._excepted(text)
        if self.match == "$upper":
            return text == text.upper() or self._excepted(text)
        assert self.custom is not None
        return bool(safety.match(self.custom, text)) or self._excepted(text)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        if self.ok(text):
            return []
        return [Hit(0, len(text), format_message(self.message, text))]


def _syllables(word: str) -> int:
    groups = regex.findall(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", word.lower())
    count = len(groups)
    if word.lower().endswith("e") and count > 1 and not word.lower().endswith("le"):
        count -= 1
    return max(count, 1)


def text_statistics(text: str) -> dict[str, float]:
    """The variables Vale's metric and readability rules use, computed over prose."""
    words = regex.findall(r"[\p{L}\p{N}][\p{L}\p{N}'’-]*", text)
    sentences = max(len(regex.findall(r"[.!?]+(?=\s|$)", text)), 1 if words else 0)
    syllables = [_syllables(w) for w in words]
    letters = sum(len(regex.sub(r"[^\p{L}\p{N}]", "", w)) for w in words)
    return {
        "words": float(len(words)),
        "sentences": float(sentences),
        "characters": float(letters),
        "syllables": float(sum(syllables)),
        "polysyllabic_words": float(sum(1 for s in syllables if s >= 3)),
        "complex_words": float(sum(1 for s in syllables if s >= 3)),
        "long_words": float(sum(1 for w in words if len(w) > 6)),
    }


_READABILITY: dict[str, Callable[[dict[str, float]], float]] = {
    "Flesch-Kincaid": lambda s: (
        0.39 * s["words"] / s["sentences"] + 11.8 * s["syllables"] / s["words"] - 15.59
    ),
    "Gunning Fog": lambda s: (
        0.4 * (s["words"] / s["sentences"] + 100 * s["complex_words"] / s["words"])
    ),
    "Coleman-Liau": lambda s: (
        0.0588 * (s["characters"] / s["words"] * 100)
        - 0.296 * (s["sentences"] / s["words"] * 100)
        - 15.8
    ),
    "SMOG": lambda s: 1.043 * math.sqrt(s["polysyllabic_words"] * 30 / s["sentences"]) + 3.1291,
    "Automated Readability": lambda s: (
        4.71 * s["characters"] / s["words"] + 0.5 * s["words"] / s["sentences"] - 21.43
    ),
}


class Readability(Rule):
    extends = "readability"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.metrics = _strings(data.get("metrics"), path, "metrics")
        unknown = [m for m in self.metrics if m not in _READABILITY]
        if unknown or not self.metrics:
            raise ConfigError(
                f"'metrics' must be a non-empty list of {sorted(_READABILITY)}",
                path=path,
                key="metrics",
            )
        self.grade = float(data.get("grade") or 8)
        self.scope = (Selector(frozenset(), (), "summary"),)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        stats = text_statistics(text)
        if not stats["words"]:
            return []
        grade = sum(_READABILITY[m](stats) for m in self.metrics) / len(self.metrics)
        if grade > self.grade:
            return [Hit(0, 0, format_message(self.message, f"{grade:.2f}"))]
        return []


#: Variables every metric formula may read (Vale's, plus the engine's Dutch readability figures).
METRIC_VARIABLES = frozenset(
    {
        "words",
        "sentences",
        "characters",
        "syllables",
        "polysyllabic_words",
        "complex_words",
        "long_words",
        "paragraphs",
        "flesch_douma",
        "leesindex_a",
        "list",
        "blockquote",
        "pre",
        *(f"heading_h{n}" for n in range(1, 7)),
    }
)


class Metric(Rule):
    extends = "metric"

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.condition = str(data.get("condition") or "").strip()
        try:
            self.formula = Formula(str(data.get("formula") or ""))
        except FormulaError as exc:
            raise ConfigError(f"'formula': {exc}", path=path, key="formula") from None
        cm = regex.fullmatch(r"(<=|>=|==|!=|<|>)\s*(-?[\d.]+)", self.condition)
        if not cm:
            raise ConfigError("'condition' must look like '> 3'", path=path, key="condition")
        self.operator, self.bound = cm.group(1), float(cm.group(2))
        unknown = self.formula.variables - METRIC_VARIABLES
        if unknown:
            raise ConfigError(
                f"unknown variable {sorted(unknown)[0]!r} in formula", path=path, key="formula"
            )
        self.scope = (Selector(frozenset(), (), "summary"),)

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        variables: dict[str, float] = dict.fromkeys(METRIC_VARIABLES, 0.0)
        variables.update(state.memory.get("__metrics__", {}))
        stats = text_statistics(text)
        if not stats["words"]:
            return []
        variables.update(stats)
        if self.formula.variables & {"flesch_douma", "leesindex_a"}:
            from planner.brand.readability import analyse

            report = analyse(text)
            variables["flesch_douma"] = report.flesch_douma
            variables["leesindex_a"] = report.leesindex_a
        try:
            value = self.formula.evaluate(variables)
        except (ZeroDivisionError, ValueError, OverflowError):
            return []
        compare = {
            "<": value < self.bound,
            ">": value > self.bound,
            "<=": value <= self.bound,
            ">=": value >= self.bound,
            "==": value == self.bound,
            "!=": value != self.bound,
        }
        if compare[self.operator]:
            return [Hit(0, 0, format_message(self.message, f"{value:.2f}"))]
        return []


class DisabledRule(Rule):
    """A rule type Vale runs and this engine cannot (script): validated, listed, never run."""

    def __init__(self, name: str, data: Mapping[str, Any], path: str) -> None:
        super().__init__(name, data, path)
        self.extends = str(data["extends"])
        self.disabled_reason = DISABLED_TYPES[self.extends]

    def find(self, text: str, base: int, state: RunState) -> list[Hit]:
        return []
