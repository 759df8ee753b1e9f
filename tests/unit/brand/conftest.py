"""Helpers for the brand-engine tests: a configuration built from rule YAML in memory."""

from __future__ import annotations

import pytest

from planner.brand.engine import Alert, build_config, check_text


def run(
    rules: dict[str, str], text: str, *, markdown: bool = False, **kwargs: object
) -> list[Alert]:
    config = build_config(rules, **kwargs)  # type: ignore[arg-type]
    return check_text(text, markdown=markdown, config=config)


@pytest.fixture
def check():
    return run
