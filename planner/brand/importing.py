"""Read an uploaded Vale style package safely, judge every rule in it, and assemble the
organisation's configuration from the starter style, the active packages and the term list.

Pure apart from a private temporary folder used to hand the engine a real StylesPath: no Flask,
no database. A zip is untrusted input, so it is read with caps on size, entry count and
uncompressed total, refusing traversal, links and file types a style does not need.

Package layout (Vale's own): style folders holding `<Rule>.yml`; vocabularies under
`config/vocabularies/<Name>/accept.txt|reject.txt`. A rule may carry examples in
`<Style>/examples/<Rule>.yml` with lists `valid:` and `invalid:`; Vale refuses unknown keys in
a rule file, so examples live beside it. A rule whose examples fail is loaded but not activated.

The module is long because a package is read, judged and assembled in one place: the caps that
keep an untrusted zip harmless and the rewrite an imported rule gets on the way in (a one-click fix
for substitution rules) are easier to review next to each other than spread over files.
"""

from __future__ import annotations

import io
import re
import shutil
import stat
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from planner.brand.engine import ConfigError, LoadedConfig, load_config, run_rule_examples
from planner.brand.engine.kinds import parse_rule

MAX_ZIP_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 500
MAX_FILE_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 8 * 1024 * 1024
ALLOWED_SUFFIXES = (".yml", ".yaml", ".ini", ".txt", ".dic", ".aff")
#: A Hunspell dictionary may be larger than a rule file.
MAX_DICTIONARY_BYTES = 4 * 1024 * 1024
#: Style and vocabulary names become folder names: keep them plain.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
#: The style the term list becomes, and names a package may not take.
TERMS_STYLE = "Termen"
RESERVED_STYLES = frozenset(
    {"Vale", "Leesbaarheid", "Zuiderhaven", "English", TERMS_STYLE, "config"}
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the package or one rule; `message` is an English msgid with params."""

    message: str
    file: str = ""
    key: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    check: str
    file: str
    extends: str
    #: supported, partial, disabled (type not run), broken, or examples-failed
    status: str
    reasons: tuple[str, ...] = ()
    examples_run: int = 0

    @property
    def is_active(self) -> bool:
        return self.status in ("supported", "partial")


@dataclass(slots=True)
class PackageReport:
    """What the import found: problems that refuse the package, and the verdict on every rule."""

    problems: list[Problem] = field(default_factory=list)
    rules: list[RuleOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    vocabularies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.status == "broken" for r in self.rules)

    @property
    def inactive_rules(self) -> list[str]:
        return [r.check for r in self.rules if r.status == "examples-failed"]

    def by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(r.extends or "?" for r in self.rules).items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "problems": [
                {"message": p.message, "file": p.file, "key": p.key, "params": p.params}
                for p in self.problems
            ],
            "rules": [
                {
                    "check": r.check,
                    "file": r.file,
                    "extends": r.extends,
                    "status": r.status,
                    "reasons": list(r.reasons),
                    "examples_run": r.examples_run,
                }
                for r in self.rules
            ],
            "ignored": self.ignored,
            "vocabularies": self.vocabularies,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PackageReport:
        return cls(
            [Problem(p["message"], p["file"], p["key"], p["params"]) for p in data["problems"]],
            [
                RuleOutcome(
                    r["check"],
                    r["file"],
                    r["extends"],
                    r["status"],
                    tuple(r["reasons"]),
                    r["examples_run"],
                )
                for r in data["rules"]
            ],
            list(data.get("ignored", [])),
            list(data.get("vocabularies", [])),
        )


class PackageRefusedError(Exception):
    """The zip itself is unusable; carries the problems for the report."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "refused")
        self.problems = problems


# --- reading the zip ------------------------------------------------------------------------


def _safe_name(raw: str) -> str | None:
    """The entry name as a relative POSIX path, or None when it could escape the package."""
    if "\\" in raw or "\x00" in raw or raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        return None
    parts = PurePosixPath(raw).parts
    if any(p in ("..", "") for p in parts):
        return None
    return "/".join(p for p in parts if p != ".")


def read_zip(data: bytes) -> dict[str, str]:
    """Every usable file of the zip as {path: text}; PackageRefusedError on anything unsafe."""
    if len(data) > MAX_ZIP_BYTES:
        raise PackageRefusedError(
            [Problem("The file is larger than %(mb)s MB.", params={"mb": MAX_ZIP_BYTES // 2**20})]
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise PackageRefusedError([Problem("This is not a zip file.")]) from None
    if len(entries) > MAX_ENTRIES:
        raise PackageRefusedError(
            [Problem("The zip holds more than %(n)s entries.", params={"n": MAX_ENTRIES})]
        )
    problems: list[Problem] = []
    declared = 0
    files: dict[str, str] = {}
    for info in entries:
        name = _safe_name(info.filename)
        if name is None:
            problems.append(Problem("A path leaves the package.", file=info.filename))
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(Problem("Links are not allowed in a style package.", file=name))
            continue
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            problems.append(Problem("Encrypted files are not allowed.", file=name))
            continue
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            problems.append(
                Problem("Only .yml, .yaml, .ini and .txt files are allowed.", file=name)
            )
            continue
        declared += info.file_size
        cap = MAX_DICTIONARY_BYTES if name.lower().endswith((".dic", ".aff")) else MAX_FILE_BYTES
        if info.file_size > cap or declared > MAX_TOTAL_BYTES:
            raise PackageRefusedError(
                [Problem("The zip unpacks to more than the allowed size.", file=name)]
            )
        files[name] = ""
    if problems:
        raise PackageRefusedError(problems)
    total = 0
    for name in files:
        cap = MAX_DICTIONARY_BYTES if name.lower().endswith((".dic", ".aff")) else MAX_FILE_BYTES
        # Never trust the sizes in the headers: read at most the cap plus one byte.
        try:
            with archive.open(name) as handle:
                raw = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError):
            raise PackageRefusedError(
                [Problem("A file in the zip cannot be read.", file=name)]
            ) from None
        total += len(raw)
        if len(raw) > cap or total > MAX_TOTAL_BYTES:
            raise PackageRefusedError(
                [Problem("The zip unpacks to more than the allowed size.", file=name)]
            )
        try:
            files[name] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem("The file is not UTF-8 text.", file=name))
    if problems:
        raise PackageRefusedError(problems)
    return files


# --- judging the rules ----------------------------------------------------------------------


def normalise(raw: dict[str, str]) -> tuple[dict[str, str], list[str], list[Problem]]:
    """Map a package's files onto the layout the app stores; name what is ignored and why."""
    out: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for path, text in sorted(raw.items()):
        parts = path.split("/")
        suffix = PurePosixPath(path).suffix.lower()
        if len(parts) >= 4 and parts[-4:-2] == ["config", "vocabularies"]:
            vocab, name = parts[-2], parts[-1]
            if name in ("accept.txt", "reject.txt") and NAME.match(vocab):
                out[f"config/vocabularies/{vocab}/{name}"] = text
                continue
        stem_ok = NAME.match(PurePosixPath(parts[-1]).stem or "")
        if suffix in (".dic", ".aff") and stem_ok:
            # Hunspell dictionaries, where Vale looks for them (a rule names them by path).
            out[f"config/dictionaries/{parts[-1]}"] = text
            continue
        if suffix == ".txt" and "ignore" in parts[:-1] and stem_ok:
            out[f"config/ignore/{parts[-1]}"] = text
            continue
        if suffix in (".yml", ".yaml") and len(parts) >= 3 and parts[-2] == "examples":
            style, stem = parts[-3], PurePosixPath(parts[-1]).stem
            if NAME.match(style) and NAME.match(stem):
                out[f"{style}/examples/{stem}.yml"] = text
                continue
        if suffix in (".yml", ".yaml") and len(parts) >= 2:
            style, stem = parts[-2], PurePosixPath(parts[-1]).stem
            if not NAME.match(style) or not NAME.match(stem):
                problems.append(
                    Problem(
                        "Style and rule names may hold only letters, digits, - and _.", file=path
                    )
                )
                continue
            if style in RESERVED_STYLES:
                problems.append(
                    Problem(
                        "The style name %(name)s is reserved.", file=path, params={"name": style}
                    )
                )
                continue
            key = f"{style}/{stem}.yml"
            if key in out:
                problems.append(Problem("This rule appears twice.", file=path))
                continue
            out[key] = text
            continue
        if suffix in (".yml", ".yaml"):
            problems.append(Problem("A rule file must sit in a style folder.", file=path))
            continue
        ignored.append(path)
    return out, ignored, problems


def _examples(text: str, path: str) -> tuple[list[str], list[str]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", path=path) from exc
    if not isinstance(data, dict) or set(data) - {"valid", "invalid"}:
        raise ConfigError("examples must be a mapping with 'valid' and 'invalid' lists", path=path)
    lists = []
    for key in ("valid", "invalid"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"'{key}' must be a list of texts", path=path, key=key)
        lists.append(value)
    return lists[0], lists[1]


def judge_rule(check: str, path: str, source: str, examples: str | None) -> RuleOutcome:
    """Load one rule as the engine would, then run its examples if it has any."""
    try:
        rule = parse_rule(check, source, path)
    except ConfigError as exc:
        return RuleOutcome(check, path, "", "broken", (_reason(exc),))
    reasons = tuple(([rule.disabled_reason] if rule.disabled_reason else []) + rule.notes)
    if examples is None or rule.status == "disabled":
        return RuleOutcome(check, path, rule.extends, rule.status, reasons)
    try:
        valid, invalid = _examples(examples, f"{path} (examples)")
    except ConfigError as exc:
        return RuleOutcome(check, path, rule.extends, "broken", (_reason(exc),))
    report = run_rule_examples(source, valid, invalid, check=check)
    run = len(report.outcomes)
    if report.error is not None:
        # The rule loads but its pattern ran out of time on its own examples: not runnable.
        return RuleOutcome(check, path, rule.extends, "disabled", (*reasons, report.error), run)
    if report.passed:
        return RuleOutcome(check, path, rule.extends, rule.status, reasons, run)
    failed = tuple(
        f"example {o.expected}: {o.text!r} "
        + ("raised no alert" if o.expected == "invalid" else "raised an alert")
        for o in report.failures
    )
    return RuleOutcome(check, path, rule.extends, "examples-failed", reasons + failed, run)


def _reason(exc: ConfigError) -> str:
    return exc.message + (f" (key: {exc.key})" if exc.key else "")


def judge_package(
    raw: dict[str, str], taken_styles: Iterable[str] = ()
) -> tuple[dict[str, str], PackageReport]:
    """The files to store and the report; the package may be activated only when report.ok."""
    files, ignored, problems = normalise(raw)
    report = PackageReport(problems=problems, ignored=ignored)
    taken = set(taken_styles)
    styles: set[str] = set()
    for path, source in files.items():
        first, rest = path.split("/", 1)
        if first == "config":
            if path.startswith("config/vocabularies/"):
                report.vocabularies.append(path.split("/")[2])
            continue
        if rest.startswith("examples/"):
            if f"{first}/{PurePosixPath(rest).stem}.yml" not in files:
                report.problems.append(Problem("These examples belong to no rule.", file=path))
            continue
        styles.add(first)
        stem = PurePosixPath(rest).stem
        report.rules.append(
            judge_rule(f"{first}.{stem}", path, source, files.get(f"{first}/examples/{stem}.yml"))
        )
    for style in sorted(styles & taken):
        report.problems.append(
            Problem(
                "Another active package already has the style %(name)s.", params={"name": style}
            )
        )
    report.vocabularies = sorted(set(report.vocabularies))
    if not report.rules and not report.problems:
        report.problems.append(Problem("The package holds no rules."))
    return files, report


def package_styles(files: dict[str, str]) -> set[str]:
    return {p.split("/", 1)[0] for p in files if not p.startswith("config/")}


# --- the term list as rules -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TermSpec:
    term: str
    preferred: str
    forbidden: tuple[str, ...]


TERM_MESSAGES = {
    "nl": "Schrijf '%s' in plaats van '%s' (termenlijst).",
    "en": "Use '%s' instead of '%s' (term list).",
}


def _literal(text: str) -> str:
    """`text` as a pattern that matches it literally; parentheses become hex escapes because the
    engine counts every `(` when it refuses capture groups."""
    return re.escape(text).replace("\\ ", " ").replace("\\(", "\\x28").replace("\\)", "\\x29")


def _word_pattern(variant: str) -> str:
    # Word boundaries that also hold next to punctuation ("het park (oost)"), Unicode-aware.
    return rf"(?<!\w){_literal(variant)}(?!\w)"


def term_rule(terms: Sequence[TermSpec], language: str) -> str | None:
    """One substitution rule: every forbidden variant, escaped, swapped for the preferred form."""
    swap: dict[str, str] = {}
    for spec in terms:
        for variant in spec.forbidden:
            swap[_word_pattern(variant)] = spec.preferred
    if not swap:
        return None
    return yaml.safe_dump(
        {
            "extends": "substitution",
            "message": TERM_MESSAGES.get(language, TERM_MESSAGES["en"]),
            "level": "error",
            "ignorecase": True,
            "nonword": True,
            "action": {"name": "replace"},
            "swap": swap,
        },
        allow_unicode=True,
        sort_keys=False,
    )


def term_vocabulary(terms: Sequence[TermSpec]) -> list[str]:
    """Accepted terms: exceptions for every rule, and Vale.Terms checks their capitals.

    Only forms with a capital letter go in, since Vale.Terms would otherwise flag a lowercase term
    at the start of a sentence.
    """
    return [_literal(t.preferred) for t in terms if t.preferred != t.preferred.lower()]


# --- assembling the configuration -----------------------------------------------------------


def with_replace_action(path: str, text: str) -> str:
    """An imported substitution rule without an action gets ``action: replace``, as the starter's
    rules and the term list have: the editor then offers the same one-click fix for its swap.
    Anything else (examples, vocabularies, other rule types, an unreadable file) is left as is."""
    parts = PurePosixPath(path).parts
    if len(parts) != 2 or PurePosixPath(path).suffix not in (".yml", ".yaml"):
        return text
    try:
        # an alias would be expanded by the dump below; the engine refuses such a rule anyway
        if any(isinstance(token, yaml.AliasToken) for token in yaml.scan(text)):
            return text
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if not isinstance(data, dict) or data.get("extends") != "substitution" or "action" in data:
        return text
    return yaml.safe_dump(
        {**data, "action": {"name": "replace"}}, allow_unicode=True, sort_keys=False
    )


@dataclass(frozen=True, slots=True)
class PackageFiles:
    files: dict[str, str]
    inactive_rules: tuple[str, ...] = ()


def assemble_config(
    starter_ini: Path,
    packages: Sequence[PackageFiles],
    terms: Sequence[TermSpec],
    language: str,
) -> LoadedConfig:
    """The starter style plus active packages plus the term list, loaded by the engine.

    Everything is written to a private temporary StylesPath (the starter's folder copied, the
    packages' files beside it) and loaded with the ordinary .vale.ini reader; the loaded rules
    hold no reference to the folder, so it is removed again.
    """
    ini_text = starter_ini.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="planner-style-") as tmp:
        root = Path(tmp) / "styles"
        shutil.copytree(starter_ini.parent, root)
        styles: list[str] = []
        vocabs: list[str] = []
        off: list[str] = []
        for package in packages:
            for path, text in package.files.items():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(with_replace_action(path, text), encoding="utf-8")
            styles += sorted(package_styles(package.files))
            vocabs += sorted(
                {p.split("/")[2] for p in package.files if p.startswith("config/vocabularies/")}
            )
            off += package.inactive_rules
        rule = term_rule(terms, language)
        accepted = term_vocabulary(terms)
        if rule:
            (root / TERMS_STYLE).mkdir()
            (root / TERMS_STYLE / "Verboden.yml").write_text(rule, encoding="utf-8")
            styles.append(TERMS_STYLE)
        if accepted:
            folder = root / "config" / "vocabularies" / TERMS_STYLE
            folder.mkdir(parents=True)
            (folder / "accept.txt").write_text("\n".join(accepted) + "\n", encoding="utf-8")
            vocabs.append(TERMS_STYLE)
        lines = ini_text.splitlines()
        if vocabs:
            found = False
            for i, line in enumerate(lines):
                if line.split("=", 1)[0].strip() == "Vocab" and not line.startswith("["):
                    lines[i] = line + ", " + ", ".join(vocabs)
                    found = True
                    break
                if line.startswith("["):
                    break
            if not found:
                lines.insert(0, "Vocab = " + ", ".join(vocabs))
        if styles or off:
            lines += ["", "[*]", "BasedOnStyles = " + ", ".join(styles)]
            lines += [f"{check} = NO" for check in off]
        ini = root / ".organisation.vale.ini"
        ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return load_config(ini)
