"""Errors as Heroku's Platform API answers them: `{"id": "not_found", "message": "…"}`,
the id being what a client branches on and the message what it prints."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from minidyno.errors import UserError

log = logging.getLogger("minidyno.api")

#: The media type of every request of Heroku's clients (`; version=3`, `version=3.sdk`…).
MEDIA_TYPE = "application/vnd.heroku+json"

#: Heroku's error ids by status.
IDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_entity_too_large",
    422: "invalid_params",
    500: "internal_server_error",
    503: "service_unavailable",
}


def answer(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"id": IDS.get(status, "bad_request"), "message": message}
    return JSONResponse(body, status_code=status, headers=headers)


def install(api: FastAPI) -> None:
    @api.exception_handler(UserError)
    async def user_error(_: Request, exc: UserError) -> JSONResponse:
        return answer(exc.status, str(exc))

    @api.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return answer(exc.status_code, str(exc.detail), exc.headers)

    @api.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        """Logged in full (uvicorn's handler prints it), answered in the shape the CLI reads."""
        log.exception("a Platform API request failed", exc_info=exc)
        return answer(500, f"internal error: {exc.__class__.__name__}: {exc}")

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return answer(422, f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request body")
