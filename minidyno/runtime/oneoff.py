"""One-off dynos' names: `run.N`, one more than any the app has running (the release
phase is `release.1`). The driver runs them (DynoDriver.run, .run_detached)."""

from __future__ import annotations

from minidyno.runtime.driver import DynoDriver


def next_run_name(driver: DynoDriver, app: str) -> str:
    numbers = [
        int(d.name.split(".")[1])
        for d in driver.dynos(app)
        if d.process_type == "run" and d.name.split(".")[1].isdigit()
    ]
    return f"run.{max(numbers, default=0) + 1}"
