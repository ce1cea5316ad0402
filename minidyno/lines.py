"""Turn a stream of byte chunks into text lines as they complete, for every place that
relays a container's output line by line (builds, release phase, log followers).

A line longer than MAX_LINE_BYTES is cut into pieces as it arrives, as Heroku's
logging cuts long lines: output with no newline at all (a dyno printing one endless
line) must cost neither unbounded memory nor time that grows with its square.
"""

from __future__ import annotations

from collections.abc import Callable

#: Heroku splits longer lines; so do we, at a character boundary.
MAX_LINE_BYTES = 10_000


class LineSplitter:
    """Calls `emit` with each complete line, or `emit_batch` with all the lines one
    chunk completed (one call per chunk keeps a flood cheap)."""

    def __init__(
        self, emit: Callable[[str], None] | None = None, emit_batch: Callable[[list[str]], None] | None = None
    ) -> None:
        self._emit_batch = emit_batch or (lambda lines: [emit(x) for x in lines])
        self._pending = b""

    def feed(self, chunk: bytes) -> None:
        """Only the new chunk is searched for newlines, and at most MAX_LINE_BYTES are
        ever held back, so each byte is looked at a bounded number of times."""
        lines: list[str] = []
        start = 0
        while (end := chunk.find(b"\n", start)) >= 0:
            lines.extend(_pieces(self._pending + chunk[start:end], final=True)[0])
            self._pending = b""
            start = end + 1
        done, self._pending = _pieces(self._pending + chunk[start:], final=False)
        lines.extend(done)
        if lines:
            self._emit_batch(lines)

    def close(self) -> None:
        """Emit what is left after the last newline, if anything."""
        if self._pending:
            self._emit_batch(_pieces(self._pending, final=True)[0])
            self._pending = b""


def _pieces(data: bytes, final: bool) -> tuple[list[str], bytes]:
    """`data` cut into lines of at most MAX_LINE_BYTES, never inside a character; unless
    `final`, the last piece (at most MAX_LINE_BYTES) is returned to wait for more."""
    pieces: list[str] = []
    start = 0
    while len(data) - start > MAX_LINE_BYTES:
        end = start + MAX_LINE_BYTES
        while end > start + MAX_LINE_BYTES - 4 and (data[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(_text(data[start:end]))
        start = end
    rest = data[start:]
    if final:
        if rest or not pieces:
            pieces.append(_text(rest))
        return pieces, b""
    return pieces, rest


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r")
