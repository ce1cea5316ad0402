"""Run slow work (a build, a stack) in a thread and stream what it says as NDJSON,
line by line as it happens: `{"line": …}` events, then `{"ok": …}` or `{"error": …}`.

The pre-receive hook, the CLI and (later) the dashboard read the same events.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi.responses import StreamingResponse

from minidyno import abandon
from minidyno.errors import UserError
from minidyno.progress import Say

log = logging.getLogger("minidyno.api")

_DONE = object()


def stream_work(work: Callable[[Say], dict[str, Any]], key: str = "line") -> StreamingResponse:
    """`key` names the events of what `work` says: `line` for lines, `out` for raw
    output that keeps its own newlines."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    gone = threading.Event()

    def put(item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def run() -> None:
        abandon.mark(gone)
        try:
            result = work(lambda text: put({key: text}))
            put({"ok": True, **result})
        except UserError as exc:
            put({"error": str(exc)})
        except Exception as exc:
            log.exception("work failed")
            put({"error": f"internal error: {exc.__class__.__name__}: {exc}"})
        finally:
            put(_DONE)

    threading.Thread(target=run, daemon=True).start()

    async def events() -> AsyncIterator[bytes]:
        try:
            while (item := await queue.get()) is not _DONE:
                yield (json.dumps(item) + "\n").encode()
        finally:
            gone.set()  # the client hung up (or had everything): nobody listens any more

    return StreamingResponse(events(), media_type="application/x-ndjson")
