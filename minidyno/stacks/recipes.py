"""What each stack is made of. The recipe's hash names the image it makes, so a
stack is rebuilt exactly when its recipe changes and never otherwise."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from minidyno.errors import UserError

#: Bump when the builder changes what it puts in an image for the same packages.
RECIPE_REVISION = 1

RUN_PACKAGES = ("python3", "ca-certificates", "libpq5", "tzdata")
BUILD_PACKAGES = (
    "python3-venv",
    "python3-pip",
    "python3-dev",
    "gcc",
    "libc6-dev",
    "libpq-dev",
    "git",
)

#: The unprivileged user every dyno runs as; it owns /app so apps can write there
#: as they can on Heroku's ephemeral filesystem.
DYNO_UID = 1000


@dataclass(frozen=True)
class Stack:
    name: str
    suite: str
    python: str

    @property
    def run_image(self) -> str:
        return f"minidyno/stack:{self.name}"

    @property
    def build_image(self) -> str:
        return f"minidyno/stack:{self.name}-build"

    def recipe_hash(self, image: str) -> str:
        """The hash of what makes `image` (the run or the build image): the build
        image's covers the run image's, since it is made on top of it."""
        recipe: dict[str, object] = {
            "revision": RECIPE_REVISION,
            "suite": self.suite,
            "run": RUN_PACKAGES,
            "uid": DYNO_UID,
        }
        if image == self.build_image:
            recipe["build"] = BUILD_PACKAGES
        return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]


STACKS: dict[str, Stack] = {
    s.name: s
    for s in (
        Stack("bookworm", "bookworm", "3.11"),
        Stack("trixie", "trixie", "3.13"),
        Stack("sid", "sid", "3.14"),
    )
}


class UnknownStack(UserError):
    pass


def get(name: str) -> Stack:
    try:
        return STACKS[name]
    except KeyError:
        raise UnknownStack(f"unknown stack {name!r}; the stacks are {', '.join(STACKS)}") from None


def for_python(version: str) -> Stack:
    """The stack whose Debian Python matches a requested `3.X` or `3.X.Y`."""
    minor = ".".join(version.split(".")[:2])
    for stack in STACKS.values():
        if stack.python == minor:
            return stack
    supported = ", ".join(f"{s.python} ({s.name})" for s in STACKS.values())
    raise UnknownStack(
        f"Python {version} is not available; the supported versions are {supported}: "
        "put one of them in .python-version"
    )
