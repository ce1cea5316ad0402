"""Finding 3: one log line without a newline grew the splitter's buffer without bound,
re-scanning all of it on every chunk (32 MiB took 21 s). Lines are now cut at
MAX_LINE_BYTES as they arrive, as Heroku cuts long log lines."""

from __future__ import annotations

from minidyno.lines import MAX_LINE_BYTES, LineSplitter


def test_an_endless_line_is_cut_as_it_arrives_and_never_held_whole():
    got: list[str] = []
    splitter = LineSplitter(emit_batch=got.extend)
    chunk = b"x" * 65536
    held = 0
    for _ in range(512):  # 32 MiB, no newline
        splitter.feed(chunk)
        held = max(held, len(splitter._pending))
    splitter.close()

    assert held <= MAX_LINE_BYTES
    assert sum(len(piece) for piece in got) == 512 * 65536
    assert all(len(piece) == MAX_LINE_BYTES for piece in got[:-1])


def test_pieces_never_cut_a_character_and_short_lines_are_untouched():
    got: list[str] = []
    splitter = LineSplitter(got.append)
    text = "é" * (MAX_LINE_BYTES // 2 + 10)  # 2 bytes each: past the limit
    splitter.feed(b"first\r\n\nsecond" + b"\n" + text.encode())
    splitter.feed(b"\nlast")
    splitter.close()

    assert got[:3] == ["first", "", "second"]
    assert "".join(got[3:-1]) == text and "\ufffd" not in "".join(got)
    assert all(len(piece.encode()) <= MAX_LINE_BYTES for piece in got)
    assert got[-1] == "last"
