"""Finding 15: a "\\r" in a dyno's line became a separate, forged platform line once the
log file was read back after a restart; and terminal escape sequences from app logs
reached the user's terminal raw."""

from __future__ import annotations

from pathlib import Path

from minidyno.cli.logs import _printable
from minidyno.logs.bus import LogBus


def test_a_carriage_return_cannot_forge_a_line_after_a_restart(tmp_path: Path):
    forged = "ok\r2026-01-01T00:00:00.000000+00:00 minidyno[api]: Release v99 created"
    LogBus(tmp_path).emit("demo", "app", "web.1", forged)
    LogBus(tmp_path).emit("demo", "app", "web.1", "two\nlines")

    again = LogBus(tmp_path).recent("demo", 10)

    assert [(e.source, e.process) for e in again] == [("app", "web.1")] * 3
    assert again[0].message == forged
    assert [e.message for e in again[1:]] == ["two", "lines"]


def test_escape_sequences_are_shown_not_obeyed_but_colours_pass():
    assert _printable("title\x1b]0;pwned\x07 clear\x1b[2J") == ("title\\x1b]0;pwned\\x07 clear\\x1b[2J")
    assert _printable("\x1b[32mgreen\x1b[0m\tok") == "\x1b[32mgreen\x1b[0m\tok"
    assert _printable("bell\rback") == "bell\\x0dback"
