"""Dyno states as Heroku shows them, and the crash-restart schedule. Pure logic, kept
apart from Docker so it can be read and tested on its own."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum


class State(StrEnum):
    STARTING = "starting"
    UP = "up"
    CRASHED = "crashed"
    DOWN = "down"
    IDLE = "idle"


def restart_delay(crashes: int, base: float, cap: float) -> float:
    """Seconds to wait before restarting a dyno that has crashed `crashes` times in a
    row: at once the first time, then base, 2*base, 4*base… up to cap."""
    if crashes <= 1:
        return 0.0
    return min(cap, base * 2 ** (crashes - 2))


@dataclass
class CrashHistory:
    """Crashes in a row of one dyno name (web.1), across the containers that held it,
    and when it may be started again."""

    crashes: int = 0
    restart_at: float = 0.0


@dataclass
class ContainerState:
    state: State = State.STARTING
    since: float = field(default_factory=time.time)
