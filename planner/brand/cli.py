"""`planner check`: the brand checker on files, with Vale's output formats and exit codes.

It runs in other organisations' CI, so it needs no app, database or secret: only a .vale.ini.
Exit status: 1 when an error-level alert was found, 2 when the configuration or a rule is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from planner.brand.channel_checks import channel_check
from planner.brand.engine import Alert, check_text, find_config, load_config
from planner.brand.engine.errors import ConfigError
from planner.errors import PlannerError

_MARKDOWN = (".md", ".markdown", ".mdown", ".mkd")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planner check", description=__doc__)
    parser.add_argument("--config", help="a .vale.ini (default: the nearest one upward)")
    parser.add_argument("--channel", help="also run the channel checks of this channel kind")
    parser.add_argument(
        "--output",
        default="CLI",
        type=lambda s: {"json": "JSON", "cli": "CLI"}.get(s.lower(), s),
        choices=["line", "JSON", "CLI"],
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    return parser


def _display(path: str) -> str:
    # Vale's --relative --normalize: relative to the working directory, forward slashes.
    try:
        shown = os.path.relpath(path)
    except ValueError:
        shown = path
    return shown.replace(os.sep, "/")


def _expand(files: list[str]) -> list[str]:
    out = []
    for name in files:
        if os.path.isdir(name):
            for root, _, found in os.walk(name):
                out += [
                    os.path.join(root, f) for f in sorted(found) if f.endswith((*_MARKDOWN, ".txt"))
                ]
        else:
            out.append(name)
    return out


def _cli_format(results: dict[str, list[Alert]]) -> str:
    lines = []
    errors = warnings = suggestions = 0
    for path, alerts in results.items():
        if not alerts:
            continue
        lines.append(f"\n {path}")
        for a in alerts:
            lines.append(f" {a.line}:{a.span[0]}\t{a.severity}\t{a.message}\t{a.check}")
            errors += a.severity == "error"
            warnings += a.severity == "warning"
            suggestions += a.severity == "suggestion"
    lines.append(
        f"\n{errors} errors, {warnings} warnings and {suggestions} suggestions"
        f" in {len(results)} file{'s' if len(results) != 1 else ''}."
    )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        config_path = Path(args.config) if args.config else find_config(Path.cwd())
        if config_path is None:
            raise ConfigError(
                "no Vale configuration (.vale, _vale, vale.ini, .vale.ini or _vale.ini) "
                "found in this folder or any folder above it"
            )
        config = load_config(config_path)
        results: dict[str, list[Alert]] = {}
        for name in _expand(args.files):
            try:
                text = Path(name).read_text(encoding="utf-8")
            except OSError as exc:
                print(f"planner check: {name}: {exc.strerror}", file=sys.stderr)
                return 2
            shown = _display(name)
            results[shown] = check_text(
                text,
                markdown=name.lower().endswith(_MARKDOWN),
                config=config,
                filename=shown,
                extra=[channel_check(args.channel)] if args.channel else (),
            )
    except PlannerError as exc:
        # A broken configuration, a broken rule or an unknown channel: the setup is at fault.
        print(f"planner check: {exc.message}", file=sys.stderr)
        return 2
    if args.output == "JSON":
        payload = {
            path: [a.to_vale() for a in alerts]
            for path, alerts in sorted(results.items())
            if alerts
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif args.output == "line":
        for path, alerts in sorted(results.items()):
            for a in alerts:
                print(f"{path}:{a.line}:{a.span[0]}:{a.check}:{a.message}")
    else:
        print(_cli_format(results))
    found_error = any(a.severity == "error" for alerts in results.values() for a in alerts)
    return 1 if found_error else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
