"""One ordered log stream per app: a ring buffer of the last lines in memory, an
append-only file per app under MINIDYNO_HOME (rotated at a size cap) so history
survives restarts, and tails that are never allowed to slow a writer down."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from minidyno.logs.format import LogFilter, LogLine, line, parse, split_long

HISTORY_LINES = 1500
#: An app's log file is rotated to `<app>.log.1` past this size; one rotation is kept.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: A tail that falls this far behind loses lines (and is told how many) rather than
#: holding memory or blocking the dyno that prints.
TAIL_BUFFER = 10_000


class Tail:
    """One reader's view of an app's new lines: bounded, and honest about drops. Lines
    arrive in batches (what one chunk of a dyno's output held) and are read the same way."""

    def __init__(self) -> None:
        self._batches: deque[list[LogLine]] = deque()
        self._held = 0
        self._dropped = 0
        self._ready = threading.Condition()

    def offer(self, entries: list[LogLine]) -> None:
        with self._ready:
            room = TAIL_BUFFER - self._held
            if room < len(entries):
                self._dropped += len(entries) - max(room, 0)
                entries = entries[: max(room, 0)]
            if entries:
                self._batches.append(entries)
                self._held += len(entries)
                self._ready.notify()

    def get_batch(self, timeout: float) -> list[LogLine]:
        """What has arrived (after a line saying how many were dropped, if any), waiting
        up to `timeout` for something; empty when nothing came."""
        with self._ready:
            if not self._batches and not self._dropped:
                self._ready.wait(timeout)
            batch: list[LogLine] = []
            if self._dropped:
                batch.append(
                    line("minidyno", "logs", f"Skipped {self._dropped} lines: this tail fell behind")
                )
                self._dropped = 0
            while self._batches:
                batch.extend(self._batches.popleft())
            self._held = 0
            return batch


class LogBus:
    def __init__(self, logs_dir: Path) -> None:
        self.logs_dir = logs_dir
        logs_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._history: defaultdict[str, deque[LogLine]] = defaultdict(lambda: deque(maxlen=HISTORY_LINES))
        self._tails: defaultdict[str, list[Tail]] = defaultdict(list)
        self._files: dict[str, TextIO] = {}
        self._loaded: set[str] = set()
        self._observers: list[Callable[[str, list[LogLine]], None]] = []

    def observe(self, observer: Callable[[str, list[LogLine]], None]) -> None:
        """Have `observer` see every app's lines as they are published, after they are
        (for the metrics' event markers); it must be quick, as the writer waits on it."""
        self._observers.append(observer)

    def emit(self, app: str, source: str, process: str, message: str) -> None:
        self.emit_many(app, source, process, [message])

    def emit_many(self, app: str, source: str, process: str, messages: list[str]) -> None:
        """Several lines of one dyno at once: one lock, one write, one timestamp (when
        they arrived, as logplex stamps them), for a chatty dyno. A message with a
        newline becomes several lines of the same source, never a line of another."""
        now = datetime.now(UTC)
        entries = [
            LogLine(now, source, process, piece)
            for m in messages
            for part in m.split("\n")
            for piece in split_long(part)
        ]
        self._publish(app, entries)

    def platform(self, app: str, process: str, message: str) -> None:
        """A line the platform says about a dyno (`minidyno[web.1]: State changed…`)."""
        self.emit(app, "minidyno", process, message)

    def _publish(self, app: str, entries: list[LogLine]) -> None:
        with self._lock:
            self._load(app)
            self._history[app].extend(entries)
            self._write(app, "".join(f"{entry.text}\n" for entry in entries))
            for tail in self._tails[app]:
                tail.offer(entries)
        for observer in self._observers:
            observer(app, entries)

    def _write(self, app: str, text: str) -> None:
        f = self._files.get(app)
        if f is None:
            f = self._files[app] = open(self._path(app), "a", encoding="utf-8")  # noqa: SIM115
        f.write(text)
        f.flush()
        if f.tell() > MAX_FILE_BYTES:
            f.close()
            self._path(app).replace(self._path(app, rotated=True))
            del self._files[app]

    def _path(self, app: str, rotated: bool = False) -> Path:
        return self.logs_dir / f"{app}.log{'.1' if rotated else ''}"

    def recent(self, app: str, count: int, only: LogFilter | None = None) -> list[LogLine]:
        with self._lock:
            self._load(app)
            lines = [e for e in self._history[app] if only is None or only.matches(e)]
        return lines[-count:] if count else []

    def _load(self, app: str) -> None:
        """Fill an app's ring buffer from its files the first time it is asked for, so
        history survives a server restart."""
        if app in self._loaded:
            return
        self._loaded.add(app)
        tail: deque[str] = deque(maxlen=HISTORY_LINES)
        for path in (self._path(app, rotated=True), self._path(app)):
            if path.exists():
                # Only "\n" ends a line: a "\r" a dyno printed is part of its line,
                # not the start of a (forged) line of its own.
                with open(path, encoding="utf-8", errors="replace", newline="\n") as f:
                    tail.extend(f)
        restored = [entry for text in tail if (entry := parse(text.rstrip("\n")))]
        self._history[app].extendleft(reversed(restored))

    def subscribe(self, app: str) -> Tail:
        tail = Tail()
        with self._lock:
            self._tails[app].append(tail)
        return tail

    def unsubscribe(self, app: str, tail: Tail) -> None:
        with self._lock:
            if tail in self._tails[app]:
                self._tails[app].remove(tail)

    def forget(self, app: str) -> None:
        """An app destroyed: its history goes with it."""
        with self._lock:
            if f := self._files.pop(app, None):
                f.close()
            self._history.pop(app, None)
            self._loaded.discard(app)
            for path in (self._path(app), self._path(app, rotated=True)):
                path.unlink(missing_ok=True)
