"""When a Heroku Scheduler job runs: every 10 minutes on the ten-minute marks, every
hour at :00, :10 … :50, or every day at HH:00 or HH:30 UTC, the choices Heroku's
dashboard offers. Pure arithmetic on epoch seconds, with the length of a minute as a
parameter so that a class (or a test) can watch "every 10 minutes" come round in
seconds."""

from __future__ import annotations

import math
import re

#: Each frequency's period, in minutes.
PERIODS = {"10m": 10, "1h": 60, "1d": 1440}
#: The minutes of its period a job may start at: Heroku offers ten-minute marks for
#: hourly jobs and the hour or half hour for daily ones.
_STEPS = {"1h": 10, "1d": 30}
_TIME = re.compile(r"^(?:(\d{1,2}))?:(\d{2})$")


def offset(every: str, at: str | None) -> int:
    """Minutes into the period that `--at` names (0 without one); a UserError-worthy
    ValueError with the fix for anything Heroku would not offer."""
    if every not in PERIODS:
        raise ValueError(f"--every {every!r} is not a Scheduler frequency; use 10m, 1h or 1d")
    if at is None:
        return 0
    if every == "10m":
        raise ValueError("--at is for hourly and daily jobs; a 10m job runs on every ten-minute mark")
    match = _TIME.match(at.strip())
    hours, minutes = (int(match.group(1) or 0), int(match.group(2))) if match else (99, 99)
    if hours > 23 or minutes > 59:
        raise ValueError(f"--at {at!r} is not a time; give HH:MM in UTC, e.g. 09:30")
    step = _STEPS[every]
    if minutes % step:
        choices = ", ".join(f":{m:02d}" for m in range(0, 60, step))
        raise ValueError(f"--at {at}: Heroku Scheduler runs {every} jobs at {choices} past the hour")
    return (hours * 60 if every == "1d" else 0) + minutes


def normalised_at(every: str, at: str | None) -> str | None:
    """How a job's `--at` is kept and shown: HH:MM for daily jobs, :MM for hourly."""
    minutes = offset(every, at)
    if at is None:
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}" if every == "1d" else f":{minutes:02d}"


def next_run(every: str, at: str | None, after: float, minute: float = 60.0) -> float:
    """The first start of the job strictly after `after` (epoch seconds)."""
    period = PERIODS[every] * minute
    start = offset(every, at) * minute
    return (math.floor((after - start) / period) + 1) * period + start
