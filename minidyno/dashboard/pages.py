"""The dashboard's pages. Data comes from the same API the CLI uses (the browser calls
it with the session cookie); these routes only render the HTML shells and log in."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from minidyno.state import apps
from minidyno.web.auth import require_token
from minidyno.web.deps import PlatformDep
from minidyno.web.sessions import COOKIE, SESSION_SECONDS

HERE = Path(__file__).parent
templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
router = APIRouter(tags=["dashboard"], include_in_schema=False)


#: No page of the dashboard may be framed by another (clickjacking).
_HEADERS = {"Content-Security-Policy": "frame-ancestors 'none'", "X-Frame-Options": "DENY"}


def _page(name: str, request: Request, **context) -> HTMLResponse:
    """A page; a logged-in one carries the session's CSRF token for its scripts."""
    csrf = request.app.state.sessions.csrf_token(request.cookies.get(COOKIE)) or ""
    return HTMLResponse(templates.get_template(name).render(csrf=csrf, **context), headers=_HEADERS)


def _logged_in(request: Request) -> bool:
    return request.app.state.sessions.valid(request.cookies.get(COOKIE))


def _with_session(response: Response, session: str) -> Response:
    response.set_cookie(COOKIE, session, httponly=True, samesite="strict", max_age=SESSION_SECONDS)
    return response


@router.get("/login")
def login_page(request: Request, code: str = "", error: str = "") -> Response:
    if code:
        session = request.app.state.sessions.redeem(code)
        if session:
            return _with_session(RedirectResponse("/", status_code=303), session)
        error = "That login link was used already or has expired: run `minidyno dashboard` again."
    return _page("login.html", request, error=error)


@router.post("/login")
def login_with_token(request: Request, token: Annotated[str, Form()]) -> Response:
    if not hmac.compare_digest(token.strip().encode(), request.app.state.token.encode()):
        return RedirectResponse("/login?error=That+is+not+this+server%27s+token", status_code=303)
    return _with_session(RedirectResponse("/", status_code=303), request.app.state.sessions.open())


@router.post("/logout")
def logout(request: Request) -> Response:
    request.app.state.sessions.close(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/")
def apps_page(request: Request, platform: PlatformDep) -> Response:
    if not _logged_in(request):
        return RedirectResponse("/login", status_code=303)
    return _page("apps.html", request, domain=platform.settings.domain)


@router.get("/dashboard/apps/{app}")
def app_page(app: str, request: Request, platform: PlatformDep) -> Response:
    if not _logged_in(request):
        return RedirectResponse("/login", status_code=303)
    with platform.db.connect() as conn:
        apps.get(conn, app)
    return _page("app.html", request, app=app, url=platform.settings.app_url(app))


@router.post("/dashboard/codes", dependencies=[Depends(require_token)])
def new_login_code(request: Request, platform: PlatformDep) -> dict[str, str]:
    """For `minidyno dashboard`: a one-time login URL."""
    code = request.app.state.sessions.new_code()
    return {"url": f"{platform.settings.dashboard_url}login?code={code}"}
