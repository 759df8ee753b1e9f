"""Check one text against a loaded configuration and turn rule hits into positioned alerts."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import regex

from planner.brand.engine import safety
from planner.brand.engine.alerts import Alert, Positions, level_rank
from planner.brand.engine.config import LoadedConfig
from planner.brand.engine.markup import Document, parse, sentences
from planner.brand.engine.rules import Rule, RunState

#: A hook that adds alerts of its own (channel checks) to what the style rules found.
ExtraCheck = Callable[[Document], Sequence[Alert]]


_SPACE_RUN = regex.compile(r"\s{2,}")


def _crosses_markup(doc: Document, start: int, end: int) -> str | None:
    """None when the match is the writer's text as typed; "spacing" when it holds a run of
    spaces left by blanked markup; "crossed" when it spans other blanked markup."""
    if doc.masked is doc.source:
        return None
    masked = doc.masked[start:end]
    source = doc.source[start:end]
    if masked == source or not masked.strip():
        return None
    for m in _SPACE_RUN.finditer(masked):
        if any(source[i] != masked[i] for i in range(m.start(), m.end())):
            return "spacing"
    core = masked.strip()
    offset = start + masked.index(core)
    if doc.source[offset : offset + len(core)] != core:
        return "crossed"
    return None


def file_format(filename: str, *, markdown: bool) -> str:
    """The format tag format-specific scopes (`text.md`, `paragraph.rst`) compare with."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if markdown and suffix not in ("md", "markdown", "mdown", "mkd", "mdx"):
        return "md"
    return {"markdown": "md", "mdown": "md", "mkd": "md"}.get(suffix, suffix or "txt")


#: Where a unit's text comes from: the blanked copy, the file as typed, or Vale's summary.
MASKED, RAW, SUMMARY = 0, 1, 2
_SUMMARY_SCOPES = frozenset({"paragraph", "list", "blockquote"})


def _units(rule: Rule, doc: Document, fmt: str) -> list[tuple[int, int, int]]:
    """(start, end, source) of every stretch of text the rule's scope selects, in order."""
    units: set[tuple[int, int, int]] = set()
    for selector in rule.scope:
        if selector.unit == "raw":
            if selector.accepts_file(fmt):
                units.add((0, len(doc.source), RAW))
        elif selector.unit == "summary":
            if selector.accepts_file(fmt):
                units.add((0, len(doc.masked), SUMMARY))
        else:
            for block in doc.blocks:
                if not selector.accepts(block.scopes, fmt):
                    continue
                if selector.unit == "sentence":
                    for start, end in sentences(doc.masked, block.start, block.end):
                        units.add((start, end, MASKED))
                else:
                    units.add((block.start, block.end, MASKED))
    return sorted(units)


def summary_text(doc: Document) -> str:
    """Vale's summary: the prose of paragraphs, list items and quotes; headings, table cells
    and alt text are left out (blanked, so offsets still match the source)."""
    kept = sorted(
        (b.start, b.end)
        for b in doc.blocks
        if b.scopes & _SUMMARY_SCOPES and "heading" not in b.scopes
    )
    blank = "\n".join(" " * len(line) for line in doc.masked.split("\n"))
    pieces = []
    pos = 0
    for start, end in kept:
        start = max(start, pos)
        if end <= start:
            continue
        pieces.append(blank[pos:start])
        pieces.append(doc.masked[start:end])
        pos = end
    pieces.append(blank[pos:])
    return "".join(pieces)


def _metrics(doc: Document) -> dict[str, float]:
    """Vale's count-based metric variables: headings per level, list items, quotes, code."""
    counts: dict[str, float] = {"pre": float(doc.code_blocks)}
    for block in doc.blocks:
        for name in ("list", "blockquote"):
            if name in block.scopes:
                counts[name] = counts.get(name, 0.0) + 1
        if "heading" in block.scopes:
            for level in range(1, 7):
                if f"h{level}" in block.scopes:
                    key = f"heading_h{level}"
                    counts[key] = counts.get(key, 0.0) + 1
    return counts


TIMEOUT_MESSAGE = (
    "This rule was switched off: its pattern took longer than {seconds} s on this text "
    "(catastrophic backtracking). Fix or remove the rule."
)


def check_document(
    doc: Document,
    config: LoadedConfig,
    *,
    filename: str,
    extra: Sequence[ExtraCheck] = (),
    fmt: str | None = None,
) -> list[Alert]:
    rule_set = config.rule_set(filename)
    fmt = fmt or file_format(filename, markdown=False)
    positions = Positions(doc.source)
    state = RunState()
    minimum = level_rank(config.min_alert_level)
    alerts: list[Alert] = []
    found: dict[str, int] = {}
    budgets: dict[str, safety.Budget] = {}

    def switch_off(rule: Rule) -> None:
        reason = TIMEOUT_MESSAGE.format(seconds=safety.REGEX_TIMEOUT)
        rule.disabled_reason = reason
        config.switched_off[rule.name] = reason
        alerts.append(positions.alert(rule.name, "warning", 0, 0, reason))

    def emit(rule: Rule, level: str, base: int, text: str, *, whole_file: bool = False) -> None:
        if rule.disabled_reason:
            return
        rule.prepare()  # one-off loading (a dictionary) is not the rule's matching time
        if rule.extends == "metric" and "__metrics__" not in state.memory:
            state.memory["__metrics__"] = _metrics(doc)
        allowance = budgets.get(rule.name)
        if allowance is None:
            allowance = budgets[rule.name] = safety.Budget(safety.RULE_BUDGET)
        token = safety.charge_to(allowance)
        try:
            hits = rule.find(text, base, state)
        except safety.RuleTimeoutError:
            switch_off(rule)
            return
        finally:
            safety.stop_charging(token)
        for hit in hits:
            offset = base + hit.start
            if not doc.is_enabled(rule.name, offset, whole_file=whole_file):
                continue
            crossing = None if whole_file else _crosses_markup(doc, offset, base + hit.end)
            if crossing == "spacing" and rule.extends != "repetition":
                # Vale's text has no such run of spaces (it joins the words around the markup),
                # so this match exists only in the blanked copy.
                continue
            if rule.limit and found.get(rule.name, 0) >= rule.limit:
                return
            found[rule.name] = found.get(rule.name, 0) + 1
            alerts.append(
                positions.alert(
                    rule.name,
                    level,
                    offset,
                    base + hit.end,
                    hit.message,
                    action=hit.action or rule.action,
                    link=rule.link,
                    description=rule.description,
                    # A match that crosses markup is not in the source as such; Vale then
                    # reports it at the start of the line.
                    first_column=crossing is not None,
                )
            )

    if rule_set.scanner.has_entries:
        scans = {}
        for block in doc.blocks:
            text = doc.masked[block.start : block.end]
            hits = rule_set.scanner.scan(text)
            scans[block.start] = hits
            # Word-list rules run only on blocks where the automaton found one of their words;
            # with hundreds of term rules that is what keeps a post cheap to check.
            for name in hits:
                entry = rule_set.by_scan.get(name)
                if entry is None or level_rank(entry[1]) < minimum:
                    continue
                if any(s.accepts(block.scopes, fmt) for s in entry[0].scope):
                    state.literal_hits = {block.start: hits}
                    emit(entry[0], entry[1], block.start, text)
        state.literal_hits = scans
    unit_cache: dict[object, list[tuple[int, int, int]]] = {}
    summary: str | None = None
    for rule, level in rule_set.rules:
        if level_rank(level) < minimum or rule.disabled_reason:
            continue
        units = unit_cache.get(rule.scope)
        if units is None:
            units = unit_cache[rule.scope] = _units(rule, doc, fmt)
        for start, end, source in units:
            if source == SUMMARY and summary is None:
                summary = summary_text(doc)
            full = doc.source if source == RAW else summary if source == SUMMARY else doc.masked
            assert full is not None
            emit(rule, level, start, full[start:end], whole_file=source != MASKED)
    # Vale reports one alert per rule and position, however many scopes saw the text.
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for alert in alerts:
        key = (alert.check, alert.start, alert.end)
        if key not in seen:
            seen.add(key)
            unique.append(alert)
    alerts = unique
    # A channel check that finds, at the same place, what a style rule of the same name found
    # (Channel.Hashtags and Zuiderhaven.Hashtags on "#opendag") would say it twice: the style's
    # finding, which the organisation can edit, stands alone.
    said = {(a.check.rpartition(".")[2], a.start, a.end) for a in alerts}
    for check in extra:
        alerts.extend(
            a
            for a in check(doc)
            if level_rank(a.severity) >= minimum
            and (a.check.rpartition(".")[2], a.start, a.end) not in said
        )
    alerts.sort(key=lambda a: (a.line, a.span[0], a.check))
    return alerts


def check_text(
    text: str,
    *,
    markdown: bool,
    config: LoadedConfig,
    filename: str | None = None,
    extra: Sequence[ExtraCheck] = (),
) -> list[Alert]:
    """Every alert for `text`: the configuration's rules, plus what the `extra` checks add (a
    channel's own rules: planner.brand.channel_checks.check_for_channel hands them in, so the
    engine knows nothing of channels).

    `filename` picks the .vale.ini sections that apply (default: a .md or .txt name).
    """
    name = filename or ("fragment.md" if markdown else "fragment.txt")
    doc = parse(text, markdown=markdown, options=config.parse_options(name))
    return check_document(
        doc, config, filename=name, extra=list(extra), fmt=file_format(name, markdown=markdown)
    )
