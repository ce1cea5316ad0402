"""Names users type: apps and dynos. Checked once here so every entry point (API,
git URL, CLI) refuses the same names with the same message."""

from __future__ import annotations

import re
import secrets

from minidyno.errors import UserError

APP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,29}$")

_ADJECTIVES = (
    "ancient",
    "autumn",
    "bold",
    "calm",
    "crisp",
    "damp",
    "dry",
    "floral",
    "fragrant",
    "frosty",
    "gentle",
    "hidden",
    "icy",
    "lively",
    "misty",
    "morning",
    "polar",
    "quiet",
    "shy",
    "silent",
    "still",
    "sunny",
    "twilight",
    "wild",
)
_NOUNS = (
    "bird",
    "brook",
    "cloud",
    "dawn",
    "dew",
    "dust",
    "field",
    "fire",
    "forest",
    "frog",
    "glade",
    "lake",
    "leaf",
    "meadow",
    "moon",
    "pine",
    "river",
    "sea",
    "snow",
    "star",
    "sun",
    "tree",
    "wave",
    "wind",
)


class InvalidName(UserError):
    """A name a user typed that cannot be used; the message says what would work."""


def check_app_name(name: str) -> str:
    if not APP_NAME.fullmatch(name):
        raise InvalidName(
            f"invalid app name {name!r}: use 2 to 30 characters, lowercase letters, digits and "
            "dashes, starting with a letter (e.g. my-app)"
        )
    return name


def random_app_name() -> str:
    """Heroku's style (`misty-river-4821`): readable, and unlikely to collide."""
    return f"{secrets.choice(_ADJECTIVES)}-{secrets.choice(_NOUNS)}-{secrets.randbelow(9000) + 1000}"
