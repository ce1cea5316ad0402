"""`minidyno server`: the control plane, the activator and the router, in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

import click
import uvicorn

from minidyno import engine, home, standby
from minidyno.api.app import create_app
from minidyno.api.heroku.rendezvous import Rendezvous
from minidyno.certs import CertificateAuthority
from minidyno.errors import UserError
from minidyno.git import repos
from minidyno.platform import Platform
from minidyno.router.nginx import NginxRouter
from minidyno.settings import Settings


@click.command("server")
@click.option("--bind", default=None, help="address to listen on (default 127.0.0.1)")
def server(bind: str | None) -> None:
    """Run the API, git endpoint, activator and router; dynos and nginx outlive it."""
    settings = Settings.from_env()
    if bind:
        settings = Settings(**{**settings.__dict__, "bind": bind})
    home.make_private(settings.home)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s minidyno[api]: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    platform = Platform(settings)
    activator_socket = socket.socket()
    activator_socket.bind(("127.0.0.1", 0))
    platform.router.activator_port = activator_socket.getsockname()[1]
    repos.write_hooks(settings)
    try:
        platform.start(lambda line: click.echo(line, err=True))
    except UserError as exc:
        raise SystemExit(f"minidyno server: {exc}") from None
    tls = (
        f" and https://*.{settings.domain}:{settings.router_tls_port}/ (trust the CA: minidyno certs)"
        if settings.tls
        else ""
    )
    click.echo(
        f"minidyno API on {settings.api_url} (home {settings.home}); router on "
        f"http://*.{settings.domain}:{settings.router_port}/{tls}",
        err=True,
    )
    rendezvous = Rendezvous(platform)
    api = uvicorn.Server(
        uvicorn.Config(
            create_app(platform, rendezvous),
            host=settings.bind,
            port=settings.api_port,
            log_level="warning",
            timeout_graceful_shutdown=5,
        )
    )
    activator = uvicorn.Server(
        uvicorn.Config(platform.activator.asgi(), log_level="warning", timeout_graceful_shutdown=5)
    )

    async def serve() -> None:
        async with contextlib.AsyncExitStack() as stack:
            if rendezvous.enabled:
                await stack.enter_async_context(rendezvous.serving())
            await asyncio.gather(api.serve(), activator.serve(sockets=[activator_socket]))

    pid_file = standby.server_pid_path(settings)
    pid_file.write_text(str(os.getpid()))
    try:
        asyncio.run(serve())
    finally:
        pid_file.unlink(missing_ok=True)


@click.command("server:stop")
def server_stop() -> None:
    """Stop everything this home runs (the server, every dyno and database, the router),
    keeping all state; `minidyno server` brings it back as it was."""
    settings = Settings.from_env()
    router = NginxRouter(settings, CertificateAuthority(settings.ca_dir))
    stopped = standby.stop(settings, engine.client(), router.pid())
    what = ", ".join(f"{n} {kind}" for kind, n in sorted(stopped.items())) or "no containers"
    click.echo(
        f"Stopped the server, {what} and the router; all state is kept in "
        f"{settings.home}. `minidyno server` brings everything back."
    )
