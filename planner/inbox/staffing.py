"""How many people a webcare team needs: the seed article's question ("how many FTE must I hire
for a webcare team?") answered from the measured volume and handling time.

Pure arithmetic, so the formula can be read and tested on its own:

    workload hours a week = messages a week × handling minutes ÷ 60
    FTE for the workload  = workload hours ÷ (hours in a full-time week × productive share)
    FTE for coverage      = office hours a week ÷ hours in a full-time week

The productive share leaves room for meetings, breaks and everything else a person does (0.8 by
default). Coverage is what it costs to have someone watching whenever the office is open, which a
one-hour target on social media needs whatever the volume; the report shows both, and the larger
is what the team needs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Staffing:
    messages_per_week: float
    handling_minutes: float
    workload_hours: float
    workload_fte: float
    coverage_fte: float

    @property
    def needed_fte(self) -> float:
        return max(self.workload_fte, self.coverage_fte)


def webcare_fte(
    messages_per_week: float,
    handling_minutes: float,
    *,
    fte_hours: float = 36.0,
    productive_share: float = 0.8,
    office_hours_per_week: float = 0.0,
) -> Staffing:
    """The team a volume of messages needs (see the module docstring for the formula)."""
    if fte_hours <= 0:
        raise ValueError("a full-time week must have hours")
    if not 0 < productive_share <= 1:
        raise ValueError("the productive share lies between 0 and 1")
    if messages_per_week < 0 or handling_minutes < 0 or office_hours_per_week < 0:
        raise ValueError("volumes and times cannot be negative")
    workload = messages_per_week * handling_minutes / 60
    return Staffing(
        messages_per_week=messages_per_week,
        handling_minutes=handling_minutes,
        workload_hours=workload,
        workload_fte=workload / (fte_hours * productive_share),
        coverage_fte=office_hours_per_week / fte_hours,
    )
