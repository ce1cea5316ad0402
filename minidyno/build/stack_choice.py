"""Which stack a push builds on: the one whose Python the app asks for in
`.python-version` or `runtime.txt`, else the default (Debian stable)."""

from __future__ import annotations

from minidyno.build.source import Source
from minidyno.stacks import recipes


def requested_python(source: Source) -> str | None:
    text = source.read_text(".python-version")
    if text is not None:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        return lines[0] if lines else None
    text = source.read_text("runtime.txt")
    if text is not None:
        return text.strip().removeprefix("python-") or None
    return None


def choose(source: Source, default: str) -> recipes.Stack:
    version = requested_python(source)
    return recipes.for_python(version) if version else recipes.get(default)
