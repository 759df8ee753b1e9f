from datetime import UTC, datetime, timedelta, timezone

import pytest

from planner.errors import ValidationError
from planner.timekeeping.wallclock import (
    DEFAULT_FOLD,
    AmbiguousLocalTimeError,
    InvalidInstantError,
    NonexistentLocalTimeError,
    UnknownTimezoneError,
    inspect_local,
    parse_instant,
    resolve_local,
    to_local,
    validate_timezone,
)

AMS = "Europe/Amsterdam"


def test_resolve_local_converts_winter_and_summer_times_with_their_offsets():
    assert resolve_local(datetime(2027, 1, 15, 10, 0), AMS) == datetime(
        2027, 1, 15, 9, 0, tzinfo=UTC
    )
    assert resolve_local(datetime(2027, 7, 15, 10, 0), AMS) == datetime(
        2027, 7, 15, 8, 0, tzinfo=UTC
    )


def test_resolve_local_refuses_a_time_in_the_spring_forward_gap():
    with pytest.raises(NonexistentLocalTimeError) as caught:
        resolve_local(datetime(2027, 3, 28, 2, 30), AMS)
    error = caught.value
    assert isinstance(error, ValidationError)
    assert "02:30 does not exist on 28 March 2027 in Europe/Amsterdam" in error.message
    assert "clocks jump from 02:00 to 03:00" in error.message
    assert error.gap_starts == datetime(2027, 3, 28, 2, 0)
    assert error.gap_ends == datetime(2027, 3, 28, 3, 0)
    assert error.first_valid_at == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_resolve_local_refuses_the_gap_even_when_a_fold_is_given():
    with pytest.raises(NonexistentLocalTimeError):
        resolve_local(datetime(2027, 3, 28, 2, 0), AMS, fold="later")


def test_resolve_local_accepts_the_edges_of_the_gap():
    assert resolve_local(datetime(2027, 3, 28, 1, 59), AMS) == datetime(
        2027, 3, 28, 0, 59, tzinfo=UTC
    )
    assert resolve_local(datetime(2027, 3, 28, 3, 0), AMS) == datetime(
        2027, 3, 28, 1, 0, tzinfo=UTC
    )


def test_resolve_local_asks_for_a_choice_when_the_time_occurs_twice():
    with pytest.raises(AmbiguousLocalTimeError) as caught:
        resolve_local(datetime(2026, 10, 25, 2, 30), AMS)
    error = caught.value
    assert isinstance(error, ValidationError)
    assert "02:30 occurs twice on 25 October 2026 in Europe/Amsterdam" in error.message
    assert "00:30 UTC (UTC+02:00, CEST)" in error.message
    assert "01:30 UTC (UTC+01:00, CET)" in error.message
    assert error.earlier_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert error.later_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_resolve_local_uses_the_chosen_occurrence_in_the_overlap():
    local = datetime(2026, 10, 25, 2, 30)
    assert resolve_local(local, AMS, fold="earlier") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert resolve_local(local, AMS, fold="later") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_resolve_local_default_fold_is_the_first_summer_time_occurrence():
    at = resolve_local(datetime(2026, 10, 25, 2, 30), AMS, fold=DEFAULT_FOLD)
    assert to_local(at, AMS).utcoffset() == timedelta(hours=2)


def test_resolve_local_ignores_fold_for_an_unambiguous_time():
    local = datetime(2026, 10, 25, 3, 30)
    assert resolve_local(local, AMS, fold="earlier") == resolve_local(local, AMS, fold="later")


def test_resolve_local_refuses_aware_input_and_unknown_folds():
    with pytest.raises(ValueError, match="naive"):
        resolve_local(datetime(2026, 1, 1, tzinfo=UTC), AMS)
    with pytest.raises(ValueError, match="fold"):
        resolve_local(datetime(2026, 1, 1), AMS, fold="first")  # type: ignore[arg-type]


def test_resolve_local_handles_a_half_hour_gap_elsewhere():
    with pytest.raises(NonexistentLocalTimeError, match="from 02:00 to 02:30"):
        resolve_local(datetime(2026, 10, 4, 2, 15), "Australia/Lord_Howe")


def test_inspect_local_classifies_unique_gap_and_overlap():
    assert inspect_local(datetime(2026, 6, 1, 12, 0), AMS).kind == "unique"
    gap = inspect_local(datetime(2027, 3, 28, 2, 30), AMS)
    assert (gap.kind, gap.earlier_at) == ("gap", datetime(2027, 3, 28, 1, 0, tzinfo=UTC))
    assert inspect_local(datetime(2026, 10, 25, 2, 30), AMS).kind == "overlap"


def test_to_local_shows_utc_instants_on_the_wall_clock():
    local = to_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), AMS)
    assert (local.hour, local.minute, local.utcoffset()) == (2, 30, timedelta(hours=1))


def test_to_local_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        to_local(datetime(2026, 1, 1), AMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-25T02:30:00+02:00", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T02:30:00+01:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("2026-10-25T01:30:00Z", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        (" 2027-03-28T03:00-05:00 ", datetime(2027, 3, 28, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_instant_returns_utc(text, expected):
    parsed = parse_instant(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-10-25T02:30:00", "2026-10-25"])
def test_parse_instant_refuses_timestamps_without_offset(text):
    with pytest.raises(InvalidInstantError, match="no UTC offset"):
        parse_instant(text)


def test_parse_instant_refuses_garbage():
    with pytest.raises(InvalidInstantError, match="not an ISO 8601 timestamp"):
        parse_instant("next tuesday")


def test_parse_instant_keeps_non_utc_offsets_as_the_same_instant():
    parsed = parse_instant("2026-05-01T12:00:00+05:30")
    assert parsed == datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))


@pytest.mark.parametrize("name", ["Europe/Amsterdam", "UTC", "America/New_York"])
def test_validate_timezone_accepts_iana_names(name):
    assert validate_timezone(name) == name


@pytest.mark.parametrize("name", ["", "Mars/Olympus_Mons", "Europe", "../../etc/passwd", "CEST+2"])
def test_validate_timezone_refuses_unknown_names(name):
    with pytest.raises(UnknownTimezoneError, match="Unknown timezone"):
        validate_timezone(name)


def test_resolve_local_refuses_an_unknown_timezone():
    with pytest.raises(UnknownTimezoneError):
        resolve_local(datetime(2026, 1, 1, 10, 0), "Amsterdam")
