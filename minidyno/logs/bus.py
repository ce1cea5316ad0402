"""One ordered log stream per app: a ring buffer of the last lines in memory, an
append-only file per app under MINIDYNO_HOME so history survives restarts, and
subscribers (tails) that are never allowed to slow a writer down."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import defaultdict, deque
from pathlib import Path

from minidyno.logs.format import LogFilter, LogLine, line, parse, split_long

HISTORY_LINES = 1500
#: A tail that falls this far behind loses lines (and is told how many) rather than
#: holding memory or blocking the dyno that prints.
SUBSCRIBER_BUFFER = 10_000


class LogBus:
    def __init__(self, logs_dir: Path) -> None:
        self.logs_dir = logs_dir
        logs_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._history: defaultdict[str, deque[LogLine]] = defaultdict(
            lambda: deque(maxlen=HISTORY_LINES))
        self._subscribers: defaultdict[str, list[queue.Queue[LogLine]]] = defaultdict(list)
        self._loaded: set[str] = set()

    def emit(self, app: str, source: str, process: str, message: str) -> None:
        for piece in split_long(message):
            self._publish(app, line(source, process, piece))

    def platform(self, app: str, process: str, message: str) -> None:
        """A line the platform says about a dyno (`minidyno[web.1]: State changed…`)."""
        self.emit(app, "minidyno", process, message)

    def _publish(self, app: str, entry: LogLine) -> None:
        with self._lock:
            self._load(app)
            self._history[app].append(entry)
            with open(self.logs_dir / f"{app}.log", "a", encoding="utf-8") as f:
                f.write(f"{entry}\n")
            for subscriber in self._subscribers[app]:
                with contextlib.suppress(queue.Full):
                    subscriber.put_nowait(entry)

    def recent(self, app: str, count: int, only: LogFilter | None = None) -> list[LogLine]:
        with self._lock:
            self._load(app)
            lines = [e for e in self._history[app] if only is None or only.matches(e)]
        return lines[-count:] if count else []

    def _load(self, app: str) -> None:
        """Fill an app's ring buffer from its file the first time it is asked for, so
        history survives a server restart."""
        if app in self._loaded:
            return
        self._loaded.add(app)
        path = self.logs_dir / f"{app}.log"
        if not path.exists():
            return
        with open(path, encoding="utf-8", errors="replace") as f:
            tail = deque(f, maxlen=HISTORY_LINES)
        restored = [entry for text in tail if (entry := parse(text.rstrip("\n")))]
        self._history[app].extendleft(reversed(restored))

    def subscribe(self, app: str) -> queue.Queue[LogLine]:
        subscriber: queue.Queue[LogLine] = queue.Queue(maxsize=SUBSCRIBER_BUFFER)
        with self._lock:
            self._subscribers[app].append(subscriber)
        return subscriber

    def unsubscribe(self, app: str, subscriber: queue.Queue[LogLine]) -> None:
        with self._lock:
            if subscriber in self._subscribers[app]:
                self._subscribers[app].remove(subscriber)
