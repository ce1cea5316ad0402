"""FastAPI dependencies: the platform the app was made with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from minidyno.platform import Platform


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


PlatformDep = Annotated[Platform, Depends(get_platform)]
