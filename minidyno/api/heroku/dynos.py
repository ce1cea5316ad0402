"""The formation and its dynos (`heroku ps`, `ps:scale`, `ps:type`, `ps:restart`,
`ps:stop`, `run`, `run:detached`).

Dyno sizes are minidyno's two kinds of web dyno: `Eco` sleeps when idle and `Basic`
never does, set for the whole app as Heroku sets them (`ps:type basic`); every dyno gets
the same share of the machine whatever its size.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from minidyno.api import router_settings
from minidyno.api.dynos import describe, release_to_run, start_detached
from minidyno.api.heroku.paging import page
from minidyno.api.heroku.rendezvous import Rendezvous
from minidyno.api.heroku.shapes import app_ref, find_app, identity, pick, release_ref, timestamp
from minidyno.errors import NotFound, UserError
from minidyno.platform import Platform
from minidyno.state import formation, releases
from minidyno.state.apps import App
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app_id_or_name}")

SIZES = {"eco": "Eco", "basic": "Basic"}


class FormationUpdate(BaseModel):
    type: str | None = None
    #: A count, or as the CLI sends `ps:scale web+1`: `"+1"`.
    quantity: int | str | None = None
    size: str | None = None


class FormationBatch(BaseModel):
    updates: list[FormationUpdate]


class DynoCreate(BaseModel):
    command: str
    attach: bool = True
    env: dict[str, str] | None = None
    size: str | None = None
    type: str | None = None
    force_no_tty: bool | None = None
    time_to_live: int | None = None


def _size(app: App) -> dict[str, str]:
    name = SIZES[app.dyno_type]
    return {"id": identity("dyno-size", name), "name": name}


def _formation(platform: Platform, app: App) -> list[dict[str, Any]]:
    with platform.db.connect() as conn:
        wanted = formation.get(conn, app.name)
        current = releases.current(conn, app.name)
    commands = current.processes if current else {}
    stamp = timestamp(current.created_at if current else app.created_at)
    size = _size(app)
    return [
        {
            "id": identity("formation", app.name, app.created_at, process_type),
            "app": app_ref(app),
            "type": process_type,
            "command": commands.get(process_type, ""),
            "quantity": quantity,
            "size": size["name"],
            "dyno_size": size,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for process_type, quantity in sorted(wanted.items())
    ]


def _app(platform: Platform, app_id_or_name: str) -> App:
    with platform.db.connect() as conn:
        return find_app(conn, app_id_or_name)


def _resize(platform: Platform, app: App, sizes: set[str]) -> App:
    """One size for the whole app: Eco or Basic, as minidyno's web dynos sleep or not."""
    if not sizes:
        return app
    known = {s.lower() for s in sizes}
    if len(known) > 1 or not known <= set(SIZES):
        raise UserError(
            "dyno sizes here are eco (sleeps when idle) and basic (never sleeps), one for the app"
        )
    router_settings.update_settings(app.name, router_settings.RouterSettings(dyno_type=known.pop()), platform)
    return _app(platform, app.name)


def _change(quantity: int | str) -> str:
    """`2`, `"2"`, `"+1"` or `"-1"` as the scaler takes it: `=2`, `+1`, `-1`."""
    text = str(quantity).strip()
    return text if text[:1] in "+-" and text[1:].isdigit() else f"={text}"


def _apply(platform: Platform, app: App, updates: list[FormationUpdate]) -> App:
    changes = {u.type: _change(u.quantity) for u in updates if u.type and u.quantity is not None}
    app = _resize(platform, app, {u.size for u in updates if u.size})
    if changes:
        platform.scaler.scale(app.name, changes)
    return app


@router.get("/formation")
def list_formation(app_id_or_name: str, request: Request, platform: PlatformDep) -> JSONResponse:
    return page(request, _formation(platform, _app(platform, app_id_or_name)), "type")


@router.patch("/formation")
def update_formation(
    app_id_or_name: str, body: FormationBatch, platform: PlatformDep
) -> list[dict[str, Any]]:
    app = _apply(platform, _app(platform, app_id_or_name), body.updates)
    changed = {u.type for u in body.updates}
    return [f for f in _formation(platform, app) if f["type"] in changed]


@router.get("/formation/{process_type}")
def get_formation(app_id_or_name: str, process_type: str, platform: PlatformDep) -> dict[str, Any]:
    app = _app(platform, app_id_or_name)
    missing = f"no {process_type!r} process type in {app.name}'s Procfile"
    return pick(_formation(platform, app), process_type, ("type", "id"), missing)


@router.patch("/formation/{process_type}")
def update_one_formation(
    app_id_or_name: str, process_type: str, body: FormationUpdate, platform: PlatformDep
) -> dict[str, Any]:
    app = _apply(platform, _app(platform, app_id_or_name), [body.model_copy(update={"type": process_type})])
    return get_formation(app.name, process_type, platform)


def _dynos(platform: Platform, app: App) -> list[dict[str, Any]]:
    size = _size(app)
    found = []
    for dyno in platform.runtime.dynos(app.name):
        info = describe(platform, dyno)
        found.append(
            {
                "id": identity("dyno", dyno.id),
                "name": dyno.name,
                "type": dyno.process_type,
                "state": info.state,
                "command": dyno.command,
                "size": size["name"],
                "release": release_ref(app, dyno.release),
                "app": app_ref(app),
                "attach_url": None,
                "created_at": info.started_at and timestamp(info.started_at),
                "updated_at": info.started_at and timestamp(info.started_at),
            }
        )
    return found


@router.get("/dynos")
def list_dynos(app_id_or_name: str, request: Request, platform: PlatformDep) -> JSONResponse:
    return page(request, _dynos(platform, _app(platform, app_id_or_name)), "name")


@router.get("/dynos/{dyno}")
def get_dyno(app_id_or_name: str, dyno: str, platform: PlatformDep) -> dict[str, Any]:
    app = _app(platform, app_id_or_name)
    return pick(_dynos(platform, app), dyno, ("name", "id"), f"no dyno {dyno!r} in {app.name}")


@router.delete("/dynos", status_code=202)
def restart_all(app_id_or_name: str, platform: PlatformDep) -> dict[str, Any]:
    platform.scaler.restart(_app(platform, app_id_or_name).name, None)
    return {}


@router.delete("/dynos/{dyno}", status_code=202)
def restart_one(app_id_or_name: str, dyno: str, platform: PlatformDep) -> dict[str, Any]:
    """A dyno (`web.1`) or every dyno of a type (`web`)."""
    platform.scaler.restart(_app(platform, app_id_or_name).name, dyno)
    return {}


@router.post("/dynos/{dyno}/actions/stop", status_code=202)
def stop_dyno(app_id_or_name: str, dyno: str, platform: PlatformDep) -> dict[str, Any]:
    platform.scaler.stop(_app(platform, app_id_or_name).name, dyno)
    return {}


@router.delete("/formations/{process_type}", status_code=202)
def restart_type(app_id_or_name: str, process_type: str, platform: PlatformDep) -> dict[str, Any]:
    """`ps:restart -p web`."""
    return restart_one(app_id_or_name, process_type, platform)


@router.post("/formations/{process_type}/actions/stop", status_code=202)
def stop_type(app_id_or_name: str, process_type: str, platform: PlatformDep) -> dict[str, Any]:
    app = _app(platform, app_id_or_name)
    found = [d for d in platform.runtime.dynos(app.name) if d.process_type == process_type]
    if not found:
        raise NotFound(f"no {process_type} dynos in {app.name}; `heroku ps -a {app.name}` lists them")
    for dyno in found:
        platform.scaler.stop(app.name, dyno.name)
    return {}


@router.post("/dynos", status_code=201)
def create_dyno(
    app_id_or_name: str, body: DynoCreate, request: Request, platform: PlatformDep
) -> dict[str, Any]:
    """A one-off dyno: attached (`heroku run`) through the rendezvous, whose dyno starts
    when the client connects; detached (`run:detached`) with its output in the logs."""
    app = _app(platform, app_id_or_name)
    rendezvous: Rendezvous = request.app.state.rendezvous
    if body.attach:
        if not rendezvous.enabled:
            raise UserError(
                "`heroku run` needs the rendezvous, which MINIDYNO_RENDEZVOUS_PORT=0 turned off: "
                f"use `heroku run:detached`, or `minidyno run -a {app.name}`"
            )
        release = release_to_run(platform, app.name)
        name, attach_url = rendezvous.offer(release, body.command, body.env or {})
        state = "starting"
    else:
        started = start_detached(platform, app.name, body.command)
        release, name, attach_url, state = started.release, started.name, None, "up"
    return {
        "id": identity("dyno", app.name, name, release.version),
        "name": name,
        "type": "run",
        "state": state,
        "command": body.command,
        "size": _size(app)["name"],
        "attach_url": attach_url,
        "release": release_ref(app, release.version),
        "app": app_ref(app),
        "created_at": None,
        "updated_at": None,
    }
