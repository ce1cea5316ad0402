"""Domains (`heroku domains`): the app's own `<app>.<MINIDYNO_DOMAIN>` (Heroku's
`herokuapp.com` one, kind `heroku`) and its custom ones, whose DNS target is the app's
own name, where the router answers for them. There are no SNI endpoints: the router's
certificate for every name comes from minidyno's CA."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from minidyno.api.heroku.paging import page
from minidyno.api.heroku.shapes import app_ref, find_app, identity, pick, timestamp
from minidyno.platform import Platform
from minidyno.state import domains
from minidyno.state.apps import App
from minidyno.web.deps import PlatformDep

router = APIRouter(prefix="/apps/{app_id_or_name}")


class DomainCreate(BaseModel):
    hostname: str
    sni_endpoint: str | None = None


def _domain(platform: Platform, app: App, hostname: str, added: str) -> dict[str, Any]:
    own = f"{app.name}.{platform.settings.domain}"
    return {
        "id": identity("domain", app.name, hostname, added),
        "hostname": hostname,
        "kind": "heroku" if hostname == own else "custom",
        "cname": None if hostname == own else own,
        "status": "none",
        "sni_endpoint": None,
        "acm_status": None,
        "acm_status_reason": None,
        "app": app_ref(app),
        "created_at": timestamp(added),
        "updated_at": timestamp(added),
    }


def _all(platform: Platform, app_id_or_name: str) -> tuple[App, list[dict[str, Any]]]:
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
        custom = domains.added_at(conn, app.name)
    own = _domain(platform, app, f"{app.name}.{platform.settings.domain}", app.created_at)
    return app, [own, *(_domain(platform, app, h, at) for h, at in custom.items())]


@router.get("/domains")
def list_domains(app_id_or_name: str, request: Request, platform: PlatformDep) -> JSONResponse:
    return page(request, _all(platform, app_id_or_name)[1])


@router.get("/domains/{domain}")
def get_domain(app_id_or_name: str, domain: str, platform: PlatformDep) -> dict[str, Any]:
    app, found = _all(platform, app_id_or_name)
    return pick(found, domain, ("id", "hostname"), f"{domain} is not a domain of {app.name}")


@router.post("/domains", status_code=201)
def add_domain(app_id_or_name: str, body: DomainCreate, platform: PlatformDep) -> dict[str, Any]:
    with platform.db.connect() as conn:
        app = find_app(conn, app_id_or_name)
        hostname = domains.add(conn, app.name, body.hostname, platform.settings.domain)
    platform.sync_router()
    return get_domain(app.name, hostname, platform)


@router.delete("/domains/{domain}")
def remove_domain(app_id_or_name: str, domain: str, platform: PlatformDep) -> dict[str, Any]:
    removed = get_domain(app_id_or_name, domain, platform)
    with platform.db.connect() as conn:
        domains.remove(conn, removed["app"]["name"], removed["hostname"])
    platform.sync_router()
    return removed


@router.get("/sni-endpoints")
def list_sni_endpoints(app_id_or_name: str, platform: PlatformDep) -> list[dict[str, Any]]:
    with platform.db.connect() as conn:
        find_app(conn, app_id_or_name)
    return []
