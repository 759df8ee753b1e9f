"""Read a .vale.ini and the styles it names, and decide which rules apply to which file.

The result is a LoadedConfig that compiles each file pattern's rule set once, so checking many
posts against one configuration costs one compilation.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import regex

from planner.brand.engine.alerts import LEVELS
from planner.brand.engine.builtin import builtin_rules
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.kinds import parse_rule
from planner.brand.engine.markup import DEFAULT_OPTIONS, ParseOptions
from planner.brand.engine.matching import WordListScanner
from planner.brand.engine.rules import Rule

#: Styles that exist without a folder: Vale's own and the engine's Dutch readability checks.
BUILTIN_STYLES = frozenset({"Vale", "Leesbaarheid"})


@dataclass(frozen=True, slots=True)
class RuleReport:
    check: str
    extends: str
    status: str  # supported, partial or disabled
    reasons: tuple[str, ...]
    path: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Every loaded rule and what the engine does with it; nothing is dropped silently."""

    rules: tuple[RuleReport, ...]

    def by_status(self, status: str) -> list[RuleReport]:
        return [r for r in self.rules if r.status == status]


@dataclass(slots=True)
class Section:
    pattern: str
    based_on: list[str] = field(default_factory=list)
    #: Style.Rule (or Style) -> "YES", "NO" or a severity.
    overrides: dict[str, str] = field(default_factory=dict)
    #: TokenIgnores and BlockIgnores (IgnorePatterns) of this section, compiled.
    token_ignores: list[regex.Pattern[str]] = field(default_factory=list)
    block_ignores: list[regex.Pattern[str]] = field(default_factory=list)

    def matches(self, filename: str) -> bool:
        regex = _glob_regex(self.pattern)
        name = PurePosixPath(filename.replace("\\", "/"))
        return bool(regex.fullmatch(str(name)) or regex.fullmatch(name.name))


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Vale's section globs: `*`, `?`, `[…]` and `{a,b}` alternatives."""
    out = []
    i = 0
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "{":
            out.append("(?:")
            depth += 1
        elif c == "}" and depth:
            out.append(")")
            depth -= 1
        elif c == "," and depth:
            out.append("|")
        elif c == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(c))
            else:
                out.append("[" + pattern[i + 1 : end].replace("!", "^", 1) + "]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


@dataclass(slots=True)
class RuleSet:
    """The rules that apply to one file, with their effective severity, compiled together."""

    rules: list[tuple[Rule, str]]
    scanner: WordListScanner
    #: Word-list rules that only look at whole blocks: run only where the automaton found a hit.
    by_scan: dict[str, tuple[Rule, str]] = field(default_factory=dict)


@dataclass
class LoadedConfig:
    path: Path | None
    styles_path: Path | None
    min_alert_level: str
    vocab: tuple[str, ...]
    sections: list[Section]
    #: Every loaded rule by check name, including built-ins.
    rules: dict[str, Rule]
    accepted: list[str]
    rejected: list[str]
    report: ImportReport
    #: Rules switched off while checking (a pattern over its time budget), with the reason.
    switched_off: dict[str, str] = field(default_factory=dict)
    #: IgnoredScopes, SkippedScopes and IgnoredClasses of the configuration.
    markup: ParseOptions = DEFAULT_OPTIONS
    _options: dict[str, ParseOptions] = field(default_factory=dict, repr=False)
    _cache: dict[tuple[str, ...], RuleSet] = field(default_factory=dict, repr=False)
    _by_filename: dict[str, RuleSet] = field(default_factory=dict, repr=False)

    def settings_for(self, filename: str) -> tuple[set[str], dict[str, str]]:
        """Styles and per-rule overrides of every section matching `filename`, later ones win."""
        styles: set[str] = set()
        overrides: dict[str, str] = {}
        for section in self.sections:
            if section.matches(filename):
                styles.update(section.based_on)
                overrides.update(section.overrides)
        return styles, overrides

    def parse_options(self, filename: str) -> ParseOptions:
        """The markup options for `filename`: global scopes plus its sections' ignores."""
        found = self._options.get(filename)
        if found is None:
            tokens: list[regex.Pattern[str]] = []
            blocks: list[regex.Pattern[str]] = []
            for section in self.sections:
                if section.matches(filename):
                    tokens += section.token_ignores
                    blocks += section.block_ignores
            found = dataclasses.replace(
                self.markup, token_ignores=tuple(tokens), block_ignores=tuple(blocks)
            )
            self._options[filename] = found
        return found

    def rule_set(self, filename: str) -> RuleSet:
        by_name = self._by_filename.get(filename)
        if by_name is not None:
            return by_name
        styles, overrides = self.settings_for(filename)
        key = (*sorted(styles), "|", *sorted(f"{k}={v}" for k, v in overrides.items()))
        cached = self._cache.get(key)
        if cached is not None:
            self._by_filename[filename] = cached
            return cached
        chosen: list[tuple[Rule, str]] = []
        for name, rule in self.rules.items():
            style = name.split(".", 1)[0]
            setting = overrides.get(name) or overrides.get(style)
            enabled = style in styles
            level = rule.level
            if setting == "NO":
                enabled = False
            elif setting == "YES":
                enabled = True
            elif setting in LEVELS:
                level = setting
                enabled = enabled or name in overrides
            if enabled and rule.disabled_reason is None:
                chosen.append((rule, level))
        scanner = WordListScanner()
        by_scan: dict[str, tuple[Rule, str]] = {}
        others: list[tuple[Rule, str]] = []
        for rule, level in chosen:
            literal = rule.literal_tokens()
            if literal is not None:
                scanner.add(rule.name, literal[0], ignorecase=literal[1], words=True)
            if literal is not None and all(s.unit == "block" for s in rule.scope):
                by_scan[rule.name] = (rule, level)
            else:
                others.append((rule, level))
        scanner.build()
        result = RuleSet(others, scanner, by_scan)
        self._cache[key] = result
        self._by_filename[filename] = result
        return result


def _parse_ini(text: str, path: str) -> tuple[dict[str, str], list[Section]]:
    top: dict[str, str] = {}
    sections: list[Section] = []
    current: Section | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = Section(line[1:-1].strip())
            sections.append(current)
            continue
        if "=" not in line:
            raise ConfigError(f"line {number}: expected 'key = value'", path=path, key=line)
        key, _, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if current is None:
            top[key] = value
        elif current.pattern == "formats":
            continue
        elif key in ("TokenIgnores", "BlockIgnores", "IgnorePatterns"):
            target = current.token_ignores if key == "TokenIgnores" else current.block_ignores
            target.extend(_ignore_patterns(value, path, key))
        elif key == "BasedOnStyles":
            current.based_on = [s.strip() for s in value.split(",") if s.strip()]
        elif "." in key or (key[:1].isupper() and value.upper() in ("YES", "NO")):
            setting = value.upper() if value.upper() in ("YES", "NO") else value.lower()
            if setting not in ("YES", "NO", *LEVELS):
                raise ConfigError(
                    f"line {number}: {key} must be YES, NO or a level", path=path, key=key
                )
            current.overrides[key] = setting
        # Other section keys (BlockIgnores, TokenIgnores, Transform, Lang…) do not change prose
        # checks of Markdown and plain text here; they are accepted like Vale accepts them.
    return top, sections


def _ignore_patterns(value: str, path: str, key: str) -> list[regex.Pattern[str]]:
    # Vale splits the value at commas, as it does every list in the .vale.ini.
    out = []
    for item in (v.strip() for v in value.split(",")):
        if not item:
            continue
        try:
            out.append(regex.compile(item, regex.MULTILINE))
        except regex.error as exc:
            raise ConfigError(
                f"{key}: invalid pattern {item!r}: {exc}", path=path, key=key
            ) from None
    return out


def _scope_list(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(v.strip() for v in value.split(",") if v.strip())


def _read_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def load_styles(
    styles_path: Path | None,
    names: Iterable[str],
    *,
    vocab: Iterable[str] = (),
    extra_rules: Mapping[str, str] | None = None,
) -> tuple[dict[str, Rule], list[str], list[str], ImportReport]:
    """Load the named style folders (plus vocabularies and built-ins) and report on every rule."""
    rules: dict[str, Rule] = {}
    accepted: list[str] = []
    rejected: list[str] = []
    for name in vocab:
        if styles_path is None:
            raise ConfigError(f"vocabulary {name!r} needs a StylesPath")
        folder = styles_path / "config" / "vocabularies" / name
        if not folder.is_dir():
            raise ConfigError(f"vocabulary {name!r} not found at {folder}", key="Vocab")
        accepted += _read_list(folder / "accept.txt")
        rejected += _read_list(folder / "reject.txt")
    for style in sorted(set(names)):
        if style in BUILTIN_STYLES:
            continue
        style_dir = styles_path / style if styles_path is not None else None
        if style_dir is None or not style_dir.is_dir():
            raise ConfigError(f"style {style!r} does not exist on StylesPath", key="BasedOnStyles")
        for file in sorted([*style_dir.glob("*.yml"), *style_dir.glob("*.yaml")]):
            check = f"{style}.{file.stem}"
            rules[check] = parse_rule(
                check, file.read_text(encoding="utf-8"), str(file), styles_path=styles_path
            )
    for check, source in (extra_rules or {}).items():
        rules[check] = parse_rule(check, source, check, styles_path=styles_path)
    rules.update(builtin_rules(accepted, rejected, styles_path))
    for rule in rules.values():
        rule.set_vocab(accepted)
    report = ImportReport(
        tuple(
            RuleReport(
                name,
                rule.extends,
                rule.status,
                tuple(([rule.disabled_reason] if rule.disabled_reason else []) + rule.notes),
                rule.path,
            )
            for name, rule in sorted(rules.items())
        )
    )
    return rules, accepted, rejected, report


def _referenced_styles(sections: list[Section]) -> set[str]:
    names: set[str] = set()
    for section in sections:
        names.update(section.based_on)
        for key, value in section.overrides.items():
            if value != "NO":
                names.add(key.split(".", 1)[0])
    return names


def parse_config(text: str, *, base_dir: Path, path: Path | None = None) -> LoadedConfig:
    """A configuration from .vale.ini text; StylesPath is relative to `base_dir`."""
    where = str(path) if path else "<config>"
    top, sections = _parse_ini(text, where)
    styles_value = top.get("StylesPath")
    styles_path = (base_dir / styles_value).resolve() if styles_value else None
    # Vale's default is `warning`: suggestions show only when a configuration asks for them.
    min_level = top.get("MinAlertLevel", "warning").strip().lower()
    if min_level not in LEVELS:
        raise ConfigError(
            f"MinAlertLevel must be one of {list(LEVELS)}", path=where, key="MinAlertLevel"
        )
    vocab = tuple(v.strip() for v in top.get("Vocab", "").split(",") if v.strip())
    referenced = _referenced_styles(sections)
    # A style named only to switch one rule on (`Microsoft.AMPM = YES`) must exist; rules of it
    # that do not exist are ignored, as Vale ignores them.
    rules, accepted, rejected, report = load_styles(styles_path, referenced, vocab=vocab)
    ignored = _scope_list(top.get("IgnoredScopes"))
    skipped = _scope_list(top.get("SkippedScopes"))
    classes = _scope_list(top.get("IgnoredClasses")) or frozenset()
    markup = ParseOptions(
        ignored_scopes=ignored if ignored is not None else DEFAULT_OPTIONS.ignored_scopes,
        skipped_scopes=skipped if skipped is not None else DEFAULT_OPTIONS.skipped_scopes,
        ignored_classes=DEFAULT_OPTIONS.ignored_classes | classes,
    )
    return LoadedConfig(
        path,
        styles_path,
        min_level,
        vocab,
        sections,
        rules,
        accepted,
        rejected,
        report,
        markup=markup,
    )


def load_config(path: str | Path) -> LoadedConfig:
    """Load a .vale.ini and every style it names; ConfigError when anything is broken."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc}", path=str(file)) from exc
    return parse_config(text, base_dir=file.resolve().parent, path=file)


#: The names Vale looks for, in its order, in the working folder and then every folder above it.
CONFIG_NAMES: tuple[str, ...] = (".vale", "_vale", "vale.ini", ".vale.ini", "_vale.ini")


def find_config(start: Path) -> Path | None:
    """The nearest Vale configuration in `start` or a parent folder, as Vale searches for it."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def build_config(
    rules: Mapping[str, str],
    *,
    min_alert_level: str = "suggestion",
    accepted: Iterable[str] = (),
    rejected: Iterable[str] = (),
    based_on: Iterable[str] = (),
) -> LoadedConfig:
    """A configuration from rule YAML held in memory (the app's database): check name -> YAML.

    Every given rule is enabled for every file; `based_on` may add built-in styles (Vale,
    Leesbaarheid).
    """
    loaded, _, _, _ = load_styles(None, (), extra_rules=rules)
    accepted_list, rejected_list = list(accepted), list(rejected)
    loaded.update(builtin_rules(accepted_list, rejected_list))
    for rule in loaded.values():
        rule.set_vocab(accepted_list)
    styles = {name.split(".", 1)[0] for name in rules} | set(based_on)
    section = Section("*", sorted(styles))
    report = ImportReport(
        tuple(
            RuleReport(
                n,
                r.extends,
                r.status,
                tuple(([r.disabled_reason] if r.disabled_reason else []) + r.notes),
                r.path,
            )
            for n, r in sorted(loaded.items())
        )
    )
    return LoadedConfig(
        None, None, min_alert_level, (), [section], loaded, accepted_list, rejected_list, report
    )
