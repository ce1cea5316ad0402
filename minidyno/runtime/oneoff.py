"""One-off dynos' names: `run.N`, one more than any the app has running or has promised
(`heroku run` names its dyno before the dyno exists; the release phase is `release.1`;
the scheduler's are `scheduler.4821`, of process type `run` too).
The driver runs them (DynoDriver.run, .run_detached)."""

from __future__ import annotations

from collections.abc import Collection

from minidyno.runtime.driver import DynoDriver


def next_run_name(driver: DynoDriver, app: str, taken: Collection[str] = ()) -> str:
    names = [d.name for d in driver.dynos(app) if d.name.startswith("run.")] + list(taken)
    numbers = [int(n.split(".")[1]) for n in names if n.split(".")[1].isdigit()]
    return f"run.{max(numbers, default=0) + 1}"
