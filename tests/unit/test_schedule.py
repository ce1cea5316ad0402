"""When Scheduler jobs run: Heroku's frequencies and `--at` choices, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from minidyno.addons.schedule import next_run, normalised_at


def at(*fields: int) -> float:
    return datetime(*fields, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("every", "when", "expected"),
    [
        ("10m", None, at(2026, 12, 3, 9, 20)),
        ("1h", ":20", at(2026, 12, 3, 9, 20)),
        ("1h", ":10", at(2026, 12, 3, 10, 10)),
        ("1h", None, at(2026, 12, 3, 10, 0)),
        ("1d", "09:30", at(2026, 12, 3, 9, 30)),
        ("1d", "09:00", at(2026, 12, 4, 9, 0)),
        ("1d", None, at(2026, 12, 4, 0, 0)),
    ],
)
def test_next_run_is_the_first_mark_after_now(every: str, when: str | None, expected: float):
    assert next_run(every, when, at(2026, 12, 3, 9, 14)) == expected


def test_a_mark_itself_is_not_after_itself():
    assert next_run("10m", None, at(2026, 12, 3, 9, 20)) == at(2026, 12, 3, 9, 30)


def test_a_shortened_minute_scales_every_period():
    assert next_run("10m", None, 10.0, minute=0.5) == 15.0
    assert next_run("1h", ":30", 0.0, minute=0.5) == 15.0


def test_at_is_kept_as_heroku_shows_it():
    assert normalised_at("1d", "9:30") == "09:30"
    assert normalised_at("1h", "07:40") == ":40"
    assert normalised_at("10m", None) is None


@pytest.mark.parametrize(
    ("every", "when", "said"),
    [
        ("5m", None, "use 10m, 1h or 1d"),
        ("1d", "25:00", "is not a time"),
        ("1d", "noon", "is not a time"),
        ("1d", "09:15", "runs 1d jobs at :00, :30"),
        ("1h", ":05", ":00, :10, :20, :30, :40, :50"),
        ("10m", "09:00", "--at is for hourly and daily jobs"),
    ],
)
def test_what_heroku_would_not_offer_is_refused_with_the_fix(every: str, when: str | None, said: str):
    with pytest.raises(ValueError, match=said):
        normalised_at(every, when)
