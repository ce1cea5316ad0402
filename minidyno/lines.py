"""Turn a stream of byte chunks into text lines as they complete, for every place that
relays a container's output line by line (builds, release phase, log followers)."""

from __future__ import annotations

from collections.abc import Callable


class LineSplitter:
    """Calls `emit` with each complete line, or `emit_batch` with all the lines one
    chunk completed (one call per chunk keeps a flood cheap)."""

    def __init__(self, emit: Callable[[str], None] | None = None,
                 emit_batch: Callable[[list[str]], None] | None = None) -> None:
        self._emit_batch = emit_batch or (lambda lines: [emit(x) for x in lines])
        self._pending = b""

    def feed(self, chunk: bytes) -> None:
        self._pending += chunk
        *complete, self._pending = self._pending.split(b"\n")
        if complete:
            self._emit_batch([_text(raw) for raw in complete])

    def close(self) -> None:
        """Emit what is left after the last newline, if anything."""
        if self._pending:
            self._emit_batch([_text(self._pending)])
            self._pending = b""


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")
