"""The one way into the Docker engine, so a daemon that is not running gives the same
clear error everywhere instead of a stack trace."""

from __future__ import annotations

import functools

import docker
from docker.errors import DockerException

from minidyno.errors import UserError


class EngineUnavailable(UserError):
    status = 503

    pass


@functools.cache
def client() -> docker.DockerClient:
    try:
        engine = docker.from_env(timeout=120)
        engine.ping()
    except DockerException as exc:
        raise EngineUnavailable(
            f"cannot reach the Docker engine ({exc}); start it with ./dev up or `dockerd &`"
        ) from None
    return engine
