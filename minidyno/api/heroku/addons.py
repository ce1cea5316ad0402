"""Add-ons and their attachments (`heroku addons`, `addons:create`, `addons:info`,
`addons:destroy`). Each minidyno add-on is attached once, to its own app, as its config
var (`DATABASE_URL` is the attachment `DATABASE`). Plans are free: minidyno bills
nothing, and the CLI prints a zero price as `free`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from minidyno.addons.service import AddonService
from minidyno.api.heroku.shapes import app_ref, find_app, identity, timestamp
from minidyno.errors import NotFound, UserError
from minidyno.platform import Platform
from minidyno.state import addons, apps
from minidyno.state.addons import Addon
from minidyno.web.deps import PlatformDep

router = APIRouter()

FREE = {"cents": 0, "contract": False, "metered": False, "unit": "month"}


class PlanRef(BaseModel):
    name: str


class AttachmentRef(BaseModel):
    name: str | None = None


class AddonCreate(BaseModel):
    plan: PlanRef
    attachment: AttachmentRef | None = None
    name: str | None = None
    config: dict[str, Any] | None = None
    confirm: str | None = None


class AddonResolve(BaseModel):
    addon: str
    app: str | None = None


class AttachmentResolve(BaseModel):
    addon_attachment: str
    app: str | None = None


def service_name(service: AddonService) -> str:
    """What Heroku calls the service (`heroku-postgresql`), else minidyno's own name."""
    return next((n for n in service.names if n.startswith("heroku-")), service.names[0])


def addon_id(addon: Addon) -> str:
    return identity("addon", addon.name, addon.created_at)


def _described(platform: Platform, addon: Addon, app: apps.App) -> dict[str, Any]:
    service = service_name(platform.addons.service_of(addon))
    plan = {"id": identity("plan", service, addon.plan), "name": f"{service}:{addon.plan}", "price": FREE}
    return {
        "id": addon_id(addon),
        "name": addon.name,
        "app": app_ref(app),
        "addon_service": {"id": identity("addon-service", service), "name": service},
        "plan": plan,
        "billed_price": FREE,
        "state": "provisioned",
        "config_vars": [addon.config_var] if addon.config_var else [],
        "provider_id": addon.name,
        "web_url": None,
        "actions": [],
        "created_at": timestamp(addon.created_at),
        "updated_at": timestamp(addon.created_at),
    }


def _attachment(platform: Platform, addon: Addon, app: apps.App) -> dict[str, Any]:
    described = _described(platform, addon, app)
    return {
        "id": identity("attachment", addon.name, addon.config_var, addon.created_at),
        "name": _attachment_names(addon)[0],
        "namespace": None,
        "app": app_ref(app),
        "addon": {k: described[k] for k in ("id", "name", "app", "plan")},
        "config_vars": [addon.config_var] if addon.config_var else [],
        "web_url": None,
        "log_input_url": None,
        "created_at": described["created_at"],
        "updated_at": described["updated_at"],
    }


def everything(platform: Platform, app_id_or_name: str | None = None) -> list[tuple[Addon, apps.App]]:
    with platform.db.connect() as conn:
        chosen = [find_app(conn, app_id_or_name)] if app_id_or_name else apps.all_apps(conn)
        return [(addon, app) for app in chosen for addon in addons.for_app(conn, app.name)]


def _attachment_names(addon: Addon) -> tuple[str, str]:
    """`DATABASE` and `DATABASE_URL`: what an attachment goes by; one with no config
    var (Scheduler's) goes by its service's name, `SCHEDULER`."""
    if not addon.config_var:
        return addon.service.upper(), addon.service.upper()
    return addon.config_var.removesuffix("_URL"), addon.config_var


def _one(platform: Platform, wanted: str, app_id_or_name: str | None) -> tuple[Addon, apps.App]:
    """By name, id, or `app::name`; of one app when it is given."""
    if "::" in wanted:
        app_id_or_name, wanted = wanted.split("::", 1)
    for addon, app in everything(platform, app_id_or_name):
        if wanted in (addon.name, addon_id(addon), *_attachment_names(addon)):
            return addon, app
    where = f" of {app_id_or_name}" if app_id_or_name else ""
    raise NotFound(f"Couldn't find that add-on{where}: `heroku addons` lists them")


@router.get("/apps/{app_id_or_name}/addons")
def list_addons(app_id_or_name: str, platform: PlatformDep) -> list[dict[str, Any]]:
    return [_described(platform, addon, app) for addon, app in everything(platform, app_id_or_name)]


@router.get("/addons")
def list_all_addons(platform: PlatformDep) -> list[dict[str, Any]]:
    return [_described(platform, addon, app) for addon, app in everything(platform)]


@router.get("/apps/{app_id_or_name}/addons/{addon}")
def get_addon(app_id_or_name: str, addon: str, platform: PlatformDep) -> dict[str, Any]:
    return _described(platform, *_one(platform, addon, app_id_or_name))


@router.get("/addons/{addon}")
def get_any_addon(addon: str, platform: PlatformDep) -> dict[str, Any]:
    return _described(platform, *_one(platform, addon, None))


@router.post("/apps/{app_id_or_name}/addons", status_code=201)
def create_addon(app_id_or_name: str, body: AddonCreate, platform: PlatformDep) -> dict[str, Any]:
    if body.name:
        raise UserError("add-on names are chosen by minidyno: leave out --name")
    attach_as = body.attachment.name if body.attachment else None
    request = platform.addons.parse(body.plan.name, attach_as=attach_as)
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
    addon = platform.addons.create(app.name, request, lambda line: None)
    return _described(platform, addon, app)


@router.delete("/apps/{app_id_or_name}/addons/{addon}")
def destroy_addon(app_id_or_name: str, addon: str, platform: PlatformDep) -> dict[str, Any]:
    found, app = _one(platform, addon, app_id_or_name)
    platform.addons.destroy(found, lambda line: None)
    return {**_described(platform, found, app), "state": "deprovisioned"}


@router.post("/actions/addons/resolve")
def resolve_addon(body: AddonResolve, platform: PlatformDep) -> list[dict[str, Any]]:
    return [_described(platform, *_one(platform, body.addon, body.app))]


@router.get("/addon-attachments")
def list_all_attachments(platform: PlatformDep) -> list[dict[str, Any]]:
    return [_attachment(platform, addon, app) for addon, app in everything(platform)]


@router.get("/apps/{app_id_or_name}/addon-attachments")
def list_attachments(app_id_or_name: str, platform: PlatformDep) -> list[dict[str, Any]]:
    return [_attachment(platform, addon, app) for addon, app in everything(platform, app_id_or_name)]


@router.get("/addons/{addon}/addon-attachments")
def list_addon_attachments(addon: str, platform: PlatformDep) -> list[dict[str, Any]]:
    return [_attachment(platform, *_one(platform, addon, None))]


@router.post("/actions/addon-attachments/resolve")
def resolve_attachment(body: AttachmentResolve, platform: PlatformDep) -> list[dict[str, Any]]:
    """`DATABASE`, `DATABASE_URL` or an add-on's name."""
    for addon, app in everything(platform, body.app):
        if body.addon_attachment in (addon.name, *_attachment_names(addon)):
            return [_attachment(platform, addon, app)]
    raise NotFound(f"Couldn't find that add-on attachment: `heroku addons -a {body.app}` lists them")
