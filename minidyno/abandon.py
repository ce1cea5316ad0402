"""Work that a client started and then walked away from: a push whose pusher hung up
must end its build and free the app, not hold the app's lock until it finishes.

The API runs slow work (a build) in a thread of its own and marks that thread with an
event it sets when the client disconnects; the work's long waits (a build container)
watch the event of the thread they run in. Work started elsewhere (the CLI, a test) has
no event and is never abandoned.
"""

from __future__ import annotations

import threading

_local = threading.local()


def mark(event: threading.Event) -> None:
    """This thread's work is abandoned once `event` is set."""
    _local.event = event


def event() -> threading.Event | None:
    """The event that says this thread's work was abandoned, if anyone watches it."""
    return getattr(_local, "event", None)
