"""Heroku Key-Value Store (`heroku-redis`): a Valkey container per add-on on the app's
own network, TLS only with a password, persistence on, the plan's memory enforced by
`maxmemory` with an eviction policy (`noeviction` first, as on Heroku), attached as
REDIS_URL (or HEROKU_REDIS_<COLOR>_URL beside an existing one) through a release.

Its URL is `rediss://:<password>@<add-on name>:6379`, as Heroku's are. The certificate
comes from minidyno's CA, which dynos do not trust, as Heroku's is self-signed: clients
connect as Heroku's docs tell them to, without verifying it (`ssl_cert_reqs=None`).
No port is published: the host's tools (`redis:cli`, `redis:info`) run valkey-cli inside
the container.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from docker.errors import APIError

from minidyno.addons.service_container import Server, ServiceContainers
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.stacks import valkey as image
from minidyno.state.addons import Addon

#: Each plan's memory (MB) and connection limits (Dev Center's technical
#: characterization); the first is the default. Premium, private and shield plans of
#: one size are the same here.
_SIZES = {
    "mini": (25, 20),
    "premium-0": (50, 40),
    "premium-1": (100, 80),
    "premium-2": (250, 200),
    "premium-3": (500, 400),
    "premium-4": (750, 700),
    "premium-5": (1024, 1000),
    "premium-7": (7 * 1024, 10000),
    "premium-9": (10 * 1024, 25000),
    "premium-10": (25 * 1024, 40000),
    "premium-12": (50 * 1024, 65000),
    "premium-14": (100 * 1024, 65000),
}
PLANS = {
    **_SIZES,
    **{
        name.replace("premium", tier): size
        for tier in ("private", "shield")
        for name, size in _SIZES.items()
        if name != "mini"
    },
}
#: The eviction policies `redis:maxmemory` takes, with what Heroku's CLI says of each.
POLICIES = {
    "noeviction": "returns errors when memory limit is reached",
    "allkeys-lfu": "removes less frequently used keys first",
    "volatile-lfu": "removes less frequently used keys first that have an expiry set",
    "allkeys-lru": "removes less recently used keys first",
    "volatile-lru": "removes less recently used keys first that have an expiry set",
    "allkeys-random": "evicts random keys",
    "volatile-random": "evicts random keys but only those that have an expiry set",
    "volatile-ttl": "only evicts keys with an expiry set and a short TTL",
}
READY_TIMEOUT = 30.0
#: Seconds one command may take: a blocking one (`BLPOP key 0`) gives up then, rather
#: than hold an API worker and a process slot of the store's container for good.
COMMAND_TIMEOUT = 10
#: Commands that answer without end (a stream, replication): a prompt that sends one
#: line and prints its whole answer cannot show them.
_STREAMING = {"MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "SYNC", "PSYNC"}
#: How valkey-cli's error replies begin; it exits 0 on them.
_ERRORS = (
    "ERR", "WRONGPASS", "NOAUTH", "OOM", "WRONGTYPE", "NOPERM", "BUSY", "READONLY",
    "MISCONF", "EXECABORT", "NOSCRIPT", "LOADING",
)  # fmt: skip


class KeyValueService:
    """The AddonService of Heroku Key-Value Store (addons/service.py)."""

    names = ("heroku-redis", "redis")
    plans = tuple(PLANS)
    prefix = "redis"
    config_var = "REDIS_URL"
    colour_prefix = "HEROKU_REDIS"

    def __init__(self, containers: ServiceContainers) -> None:
        self.containers = containers

    def url(self, addon: Addon) -> str:
        return f"rediss://:{addon.db_password}@{addon.name}:{image.PORT}"

    def prepare(self, say: Say) -> None:
        say("-----> Preparing the Key-Value Store image")
        image.RECIPE.ensure(
            self.containers.engine, self.containers.settings, lambda line: say(f"       {line}")
        )

    def provision(self, addon: Addon, say: Say) -> None:
        memory, clients = PLANS[addon.plan]
        started = time.monotonic()
        self.containers.start(
            addon,
            Server(
                "redis",
                image.IMAGE,
                image.DATA_DIR,
                image.TLS_DIR,
                {
                    "MINIDYNO_PASSWORD": addon.db_password,
                    "MINIDYNO_MAXMEMORY": f"{memory}mb",
                    "MINIDYNO_MAXCLIENTS": str(clients),
                    "MINIDYNO_CONFIG_COMMAND": _config_command(addon),
                },
                # The server's own overhead beside the data `maxmemory` counts.
                f"{memory + 64}m",
                pids_limit=64,
            ),
        )
        try:
            self._wait_ready(addon, started)
        except BaseException:
            self.destroy(addon)
            raise
        say(f"       {addon.name} is ready (PONG after {time.monotonic() - started:.2f} s)")

    def _wait_ready(self, addon: Addon, started: float) -> None:
        while time.monotonic() - started < READY_TIMEOUT:
            code, output = self.command(addon, "PING")
            if code == 0 and output.strip() == "PONG":
                return
            time.sleep(0.05)
        tail = self.containers.get(addon).logs(tail=5).decode(errors="replace").strip().replace("\n", " | ")
        raise UserError(f"{addon.name} did not answer PING within {READY_TIMEOUT:.0f} s: {tail}")

    def command(self, addon: Addon, *args: str) -> tuple[int, str]:
        """One of the platform's own commands, CONFIG by the name only it knows."""
        if args[:1] == ("CONFIG",):
            args = (_config_command(addon), *args[1:])
        return self._cli(addon, args)

    def _cli(self, addon: Addon, args: Sequence[str]) -> tuple[int, str]:
        """One command through valkey-cli inside the container, over TLS on loopback;
        the password in its environment, never on its command line."""
        cli = ["valkey-cli", "--tls", "--insecure", "-p", str(image.PORT), "--no-auth-warning"]
        try:
            code, output = self.containers.get(addon).exec_run(
                ["timeout", str(COMMAND_TIMEOUT), *cli, *args],
                environment={"REDISCLI_AUTH": addon.db_password},
            )
        except APIError as exc:
            # Stopped or restarting (it crashed): a failed command, not the API's error.
            return 1, f"(error) {addon.name} is not running: {exc.explanation}\n"
        text = output.decode("utf-8", errors="replace")
        if code == 124:
            return code, f"(error) no answer within {COMMAND_TIMEOUT} s\n"
        return (1 if code == 0 and text.startswith(_ERRORS) else code), text

    def typed_command(self, addon: Addon, args: list[str]) -> tuple[int, str]:
        """A command a user typed at `redis:cli`: a Redis command only, never one of
        valkey-cli's own options (`-h` would reach another host of the app's network),
        and none that streams without end."""
        if not args:
            raise UserError("an empty command; type a Redis command such as PING")
        if args[0].startswith("-"):
            raise UserError(f"{args[0]} is not a Redis command; type one such as PING or GET key")
        if args[0].upper() in _STREAMING:
            raise UserError(
                f"{args[0].upper()} answers without end, which this prompt cannot show;"
                " run a client in a dyno instead (minidyno run)"
            )
        return self._cli(addon, args)

    def _checked(self, addon: Addon, *args: str) -> str:
        code, output = self.command(addon, *args)
        if code != 0:
            raise UserError(f"{addon.name} answered {' '.join(args[:2])} with: {output.strip()}")
        return output

    def info(self, addon: Addon) -> dict[str, Any]:
        """What `redis:info` shows, from the server's INFO and CONFIG."""
        fields = dict(line.split(":", 1) for line in self._checked(addon, "INFO").splitlines() if ":" in line)
        memory, clients = PLANS[addon.plan]
        return {
            "name": addon.name,
            "plan": addon.plan,
            "attached_as": addon.config_var,
            "status": "available",
            "created_at": addon.created_at,
            "version": fields.get("valkey_version") or fields.get("redis_version", ""),
            "timeout": int(self._config(addon, "timeout")),
            "maxmemory_policy": self._config(addon, "maxmemory-policy"),
            "maxmemory": f"{memory} MB",
            "maxclients": clients,
            "persistence": "AOF" if fields.get("aof_enabled") == "1" else "none",
            "used_memory": fields.get("used_memory_human", ""),
            "connected_clients": int(fields.get("connected_clients", 0)),
            "keys": sum(
                int(value.split("keys=")[1].split(",")[0])
                for key, value in fields.items()
                if key.startswith("db") and "keys=" in value
            ),
        }

    def _config(self, addon: Addon, name: str) -> str:
        lines = self._checked(addon, "CONFIG", "GET", name).splitlines()
        return lines[1] if len(lines) > 1 else ""

    def set_policy(self, addon: Addon, policy: str) -> None:
        """`redis:maxmemory --policy`, kept across restarts (CONFIG REWRITE)."""
        if policy not in POLICIES:
            raise UserError(f"unknown maxmemory policy {policy!r}: use one of {', '.join(POLICIES)}")
        self._checked(addon, "CONFIG", "SET", "maxmemory-policy", policy)
        self._checked(addon, "CONFIG", "REWRITE")

    def set_password(self, addon: Addon, password: str) -> None:
        """`redis:credentials --reset`. The old password (the record still holds it)
        authenticates the change; a rotation cut short after it (the store already on
        the new one) is found done when it is finished at the next start. CONFIG
        REWRITE keeps the password across restarts of the store."""
        renewed = dataclasses.replace(addon, db_password=password)
        code, _ = self.command(addon, "CONFIG", "SET", "requirepass", password)
        if code != 0:
            self._checked(renewed, "PING")
        self._checked(renewed, "CONFIG", "REWRITE")

    def recover(self, addon: Addon) -> None:
        pass

    def destroy(self, addon: Addon) -> None:
        self.containers.remove(addon)


def _config_command(addon: Addon) -> str:
    """What CONFIG is renamed to in this store: from the add-on's record, which the app's
    URL does not carry (its name field is otherwise unused here)."""
    return f"CONFIG-{addon.db_name}"
