"""Run a rule against its own examples before it is activated.

Vale refuses unknown keys in rule files, so examples cannot live inside the YAML; the app keeps
them beside the rule and calls `run_rule_examples` when a rule is imported or edited.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.brand.engine.alerts import Alert
from planner.brand.engine.config import build_config
from planner.brand.engine.errors import ConfigError
from planner.brand.engine.runner import check_text


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    text: str
    #: "valid" examples must raise no alert of the rule; "invalid" ones at least one.
    expected: str
    alerts: tuple[Alert, ...]

    @property
    def passed(self) -> bool:
        return (not self.alerts) if self.expected == "valid" else bool(self.alerts)


@dataclass(frozen=True, slots=True)
class ExampleReport:
    check: str
    outcomes: tuple[ExampleOutcome, ...]
    #: Set when the rule itself does not load; then no example ran.
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(o.passed for o in self.outcomes)

    @property
    def failures(self) -> list[ExampleOutcome]:
        return [o for o in self.outcomes if not o.passed]


def run_rule_examples(
    rule_yaml: str,
    valid: list[str],
    invalid: list[str],
    *,
    check: str = "Example.Rule",
    markdown: bool = False,
) -> ExampleReport:
    """Check each example with only this rule on; a rule whose examples fail stays inactive."""
    try:
        config = build_config({check: rule_yaml})
    except ConfigError as exc:
        return ExampleReport(check, (), error=exc.message)
    outcomes: list[ExampleOutcome] = []
    for expected, texts in (("valid", valid), ("invalid", invalid)):
        for text in texts:
            alerts = check_text(text, markdown=markdown, config=config)
            switched_off = config.switched_off.get(check)
            if switched_off:
                # The rule's pattern ran out of time on an example: it cannot be trusted on
                # real text either, and the other examples are not tried.
                return ExampleReport(check, tuple(outcomes), error=switched_off)
            outcomes.append(
                ExampleOutcome(text, expected, tuple(a for a in alerts if a.check == check))
            )
    return ExampleReport(check, tuple(outcomes))
