"""Docker labels and names that tie a container, network, volume or image to one app
of one server.

Every resource carries `minidyno.home`, so two servers sharing an engine only ever
list, adopt or remove their own; names add a short hash of the home because Docker
names are global to the engine.
"""

from __future__ import annotations

from minidyno.settings import Settings

APP = "minidyno.app"
PROCESS = "minidyno.process"
DYNO = "minidyno.dyno"
HOME = "minidyno.home"
RELEASE = "minidyno.release"
#: What a dyno runs, as `ps` shows it: the engine's listing renders a container's
#: command its own way (quoted, after the launcher), and inspecting each container to
#: read it back would cost one engine call per dyno on every listing.
COMMAND = "minidyno.command"


def of_app(settings: Settings, app: str) -> dict[str, str]:
    """The two labels that scope a resource to this server's app: all a built image
    needs (each label costs a Dockerfile build one more step)."""
    return {HOME: str(settings.home), APP: app}


def for_resource(
    settings: Settings, app: str, process: str, dyno: str = "", release: int | None = None
) -> dict[str, str]:
    labels = {**of_app(settings, app), PROCESS: process, DYNO: dyno or process}
    if release is not None:
        labels[RELEASE] = str(release)
    return labels


def filters(settings: Settings, app: str | None = None, **extra: str) -> dict[str, list[str]]:
    """Docker list filters that match only this server's resources (of one app)."""
    wanted = [f"{HOME}={settings.home}"]
    if app:
        wanted.append(f"{APP}={app}")
    wanted += [f"minidyno.{key}={value}" for key, value in extra.items()]
    return {"label": wanted}


def prefix(settings: Settings, app: str) -> str:
    return f"minidyno-{settings.home_id}-{app}"


def network_name(settings: Settings, app: str) -> str:
    return f"{prefix(settings, app)}-net"


def cache_volume_name(settings: Settings, app: str) -> str:
    return f"{prefix(settings, app)}-build-cache"


def image_repository(settings: Settings, app: str) -> str:
    """`minidyno/<home id>/<app>`, tagged `vN`: the home's id keeps two servers' `v1`
    of a same-named app apart."""
    return f"minidyno/{settings.home_id}/{app}"
