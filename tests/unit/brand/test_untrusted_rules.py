"""Imported rules are untrusted: no YAML bombs, bounded fields, patterns within a time budget."""

from __future__ import annotations

import pytest

from planner.brand.engine import ConfigError, build_config, check_text, run_rule_examples
from planner.brand.engine.kinds import parse_rule
from planner.brand.engine.safety import MAX_FIELD_CHARS, MAX_ITEMS

#: The 369-byte "billion laughs": nine levels of aliases, each nine times the one before.
BILLION_LAUGHS = """extends: existence
message: x
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
tokens: [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""

CATASTROPHIC = "extends: existence\nmessage: slow\nnonword: true\nraw: ['(a|aa)+$']\n"


def test_billion_laughs_is_refused_with_a_clear_message():
    assert len(BILLION_LAUGHS.encode()) < 400
    with pytest.raises(ConfigError, match="anchors and aliases"):
        parse_rule("S.Bomb", BILLION_LAUGHS, "S/Bomb.yml")


def test_an_alias_alone_is_refused_too():
    source = "extends: existence\nmessage: &m x\nlink: *m\ntokens: [a]\n"
    with pytest.raises(ConfigError, match="anchors and aliases"):
        parse_rule("S.A", source, "S/A.yml")


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("message", "x" * (MAX_FIELD_CHARS + 1), "'message' is longer"),
        ("tokens", ["a"] * (MAX_ITEMS + 1), "'tokens' has more than"),
        ("tokens", ["a" * (MAX_FIELD_CHARS + 1)], "'tokens' is longer"),
    ],
)
def test_every_rule_field_has_a_size_bound(field, value, match):
    import yaml

    data = {"extends": "existence", "message": "x", "tokens": ["a"], field: value}
    with pytest.raises(ConfigError, match=match):
        parse_rule("S.Big", yaml.safe_dump(data), "S/Big.yml")


def test_go_style_escape_in_a_double_quoted_string_loads_like_vale():
    rule = parse_rule("S.Q", 'extends: existence\nmessage: "you\\\'re"\ntokens: [a]\n', "q")
    assert rule.message == "you're"


def test_a_catastrophic_pattern_costs_a_fraction_of_a_second_and_is_switched_off():
    config = build_config({"S.Slow": CATASTROPHIC})
    text = "a" * 40 + "!"
    alerts = check_text(text, markdown=False, config=config)
    [finding] = [a for a in alerts if a.check == "S.Slow"]
    assert "switched off" in finding.message
    assert "S.Slow" in config.switched_off
    # Switched off for good: the next check does not try the pattern again. (How long the
    # first try costs is measured in bench/bench_brand.py, not asserted here.)
    assert check_text(text, markdown=False, config=config) == []


def test_importing_a_catastrophic_rule_with_its_examples_stays_fast():
    report = run_rule_examples(
        CATASTROPHIC, valid=["a" * 40 + "!"] * 5, invalid=["a" * 50 + "!"] * 5, check="S.Slow"
    )
    # Ten examples, but the first one that times out ends the run.
    assert not report.passed
    assert report.error is not None
    assert "switched off" in report.error


def test_a_well_behaved_rule_is_not_switched_off_on_a_long_text():
    config = build_config({"S.Ok": "extends: existence\nmessage: x\ntokens: [klanten]\n"})
    text = "Onze klanten lezen mee. " * 4000
    alerts = check_text(text, markdown=False, config=config)
    assert len(alerts) == 4000
    assert config.switched_off == {}
