"""The events Heroku marks on its metrics charts (deploys, restarts, scaling, crashes,
memory errors), and the sleeps and wakes a class watches for, taken from the platform's
own lines on each app's log as they are published: those lines are the contract every
part already keeps, so no part has to know of metrics.
"""

from __future__ import annotations

import logging
import re
import sqlite3

from minidyno.logs.format import LogLine
from minidyno.metrics.store import Event, MetricsStore

_MARKERS = (
    ("deploy", re.compile(r"Release v\d+ created: ")),
    ("wake", re.compile(r"Unidling$")),
    ("crash", re.compile(r"State changed from \w+ to crashed$")),
    ("restart", re.compile(r"Restarting |Cycling$")),
    ("scale", re.compile(r"Scaled to ")),
    ("sleep", re.compile(r"Idling$")),
    ("r14", re.compile(r"Error R14 ")),
    ("r15", re.compile(r"Error R15 ")),
)
log = logging.getLogger("minidyno.metrics")
_DYNO = re.compile(r"[\w-]+\.\d+$")


def marker(entry: LogLine) -> Event | None:
    """The event a platform line records, if it is one the charts mark."""
    if entry.source != "minidyno" or entry.process == "router":
        return None
    for kind, pattern in _MARKERS:
        if pattern.match(entry.message):
            dyno = entry.process if _DYNO.match(entry.process) else ""
            return Event(entry.timestamp.timestamp(), kind, dyno, entry.message)
    return None


class EventMarkers:
    """A log bus observer: the writer of a line waits on it, so it only matches and, for
    the few lines that are events, writes one row."""

    def __init__(self, store: MetricsStore) -> None:
        self.store = store

    def observe(self, app: str, entries: list[LogLine]) -> None:
        """A marker lost is better than a log line held up: a failed write is only logged."""
        for entry in entries:
            if event := marker(entry):
                try:
                    self.store.add_event(app, event)
                except sqlite3.Error:
                    log.exception("could not keep the %s event of %s", event.kind, app)
