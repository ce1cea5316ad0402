"""What one kind of add-on provides, as a Dokku plugin does: the names and plans users
ask for, its resources made, described, brought back and removed, and the URL it is
attached by. Everything an add-on shares with every other (its record, the config var
it is attached as, promotion, credential rotation) is in attachments.py, so a new
add-on is one module implementing this, plus its image recipe in stacks/."""

from __future__ import annotations

from typing import Any, Protocol

from minidyno.progress import Say
from minidyno.state.addons import Addon


class AddonService(Protocol):
    #: What `addons:create` accepts for it (`postgres`, `heroku-postgresql`); the first
    #: is the name it is recorded under.
    names: tuple[str, ...]
    #: Its plans; the first is the default.
    plans: tuple[str, ...]
    #: An add-on's name is `<prefix>-<two words>` (`postgresql-shiny-42`).
    prefix: str
    #: The config var of an app's first such add-on (`DATABASE_URL`); the next ones get
    #: `<colour_prefix>_<COLOUR>_URL`, as Heroku names them.
    config_var: str
    colour_prefix: str

    def prepare(self, say: Say) -> None:
        """Make what any add-on of it needs first (its image), saying so."""
        ...

    def provision(self, addon: Addon, say: Say) -> None:
        """Make and start its resources, returning once it serves; on failure nothing
        of it is left."""
        ...

    def url(self, addon: Addon) -> str:
        """Its config var's value: where and how dynos reach it."""
        ...

    def info(self, addon: Addon) -> dict[str, Any]: ...

    def set_password(self, addon: Addon, password: str) -> None:
        """Make `password` the one its credentials take (a rotation's middle step)."""
        ...

    def recover(self, addon: Addon) -> None:
        """At start: bring its resources in line with what this version expects."""
        ...

    def destroy(self, addon: Addon) -> None:
        """Its resources and data gone; already gone is no error."""
        ...
