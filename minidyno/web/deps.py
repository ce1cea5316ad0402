"""FastAPI dependencies: the platform the app was made with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from minidyno.platform import Platform


def get_platform(connection: HTTPConnection) -> Platform:
    return connection.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
