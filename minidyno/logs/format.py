"""Heroku's log line: `2026-01-02T03:04:05.123456+00:00 app[web.1]: message`.

`source` is `app` for what a dyno printed and `minidyno` for what the platform says
(Heroku's `heroku`); `process` is the dyno (`web.1`), `router` or `api`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from minidyno.lines import MAX_LINE_BYTES


@dataclass(frozen=True)
class LogLine:
    timestamp: datetime
    source: str
    process: str
    message: str

    def __str__(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:
        """Formatted once: a line may be written to a file and sent to several tails."""
        stamp = self.timestamp.isoformat(timespec="microseconds")
        return f"{stamp} {self.source}[{self.process}]: {self.message}"

    @property
    def process_type(self) -> str:
        return self.process.split(".")[0]


def split_long(message: str) -> list[str]:
    """Pieces of at most MAX_LINE_BYTES of UTF-8 each, never cutting a character."""
    data = message.encode()
    if len(data) <= MAX_LINE_BYTES:
        return [message]
    pieces, start = [], 0
    while start < len(data):
        end = min(start + MAX_LINE_BYTES, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(data[start:end].decode())
        start = end
    return pieces


def line(source: str, process: str, message: str) -> LogLine:
    return LogLine(datetime.now(UTC), source, process, message)


_LINE = re.compile(r"^(?P<ts>\S+) (?P<source>[\w-]+)\[(?P<process>[^\]]+)\]: (?P<message>.*)$")


def parse(text: str) -> LogLine | None:
    """A line as written to an app's log file, read back; None if it is not one."""
    match = _LINE.match(text)
    if not match:
        return None
    try:
        when = datetime.fromisoformat(match["ts"])
    except ValueError:
        return None
    return LogLine(when, match["source"], match["process"], match["message"])


@dataclass(frozen=True)
class LogFilter:
    """`logs -d web.1 -s app -p web`: each unset field matches everything."""

    dyno: str | None = None
    source: str | None = None
    process_type: str | None = None

    def matches(self, entry: LogLine) -> bool:
        return (
            (self.dyno is None or entry.process == self.dyno)
            and (self.source is None or entry.source == self.source)
            and (self.process_type is None or entry.process_type == self.process_type)
        )
