"""Images of the engine's own (stacks, Postgres) are made by one maker at a time, across
every server on the machine: the second waits, then finds the image current."""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path

from minidyno.stacks import builder


def test_a_second_maker_of_the_same_image_waits_for_the_first():
    token = uuid.uuid4().hex[:8]
    image = f"minidyno/test-{token}:1"
    entered = threading.Event()

    def second() -> None:
        with builder.making(image):
            entered.set()

    with builder.making(image):
        waiter = threading.Thread(target=second)
        waiter.start()
        assert not entered.wait(0.5), "two makers of one image at once"
        with builder.making(f"{image}-other"):
            pass  # another image is not held up
    assert entered.wait(5)
    waiter.join()
    for lock in Path(tempfile.gettempdir()).glob(f"minidyno-test-{token}*.lock"):
        lock.unlink()
