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
from typing import Any

from minidyno.addons.service_container import ServiceContainers
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
            "redis",
            image.IMAGE,
            image.DATA_DIR,
            image.TLS_DIR,
            {
                "MINIDYNO_PASSWORD": addon.db_password,
                "MINIDYNO_MAXMEMORY": f"{memory}mb",
                "MINIDYNO_MAXCLIENTS": str(clients),
            },
            # The server's own overhead beside the data `maxmemory` counts.
            f"{memory + 64}m",
            pids_limit=64,
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
        """One command through valkey-cli inside the container, over TLS on loopback;
        the password in its environment, never on its command line."""
        code, output = self.containers.get(addon).exec_run(
            ["valkey-cli", "--tls", "--insecure", "-p", str(image.PORT), "--no-auth-warning", *args],
            environment={"REDISCLI_AUTH": addon.db_password},
        )
        text = output.decode("utf-8", errors="replace")
        # valkey-cli exits 0 on a server's error reply; the reply says so.
        return (1 if code == 0 and text.startswith(("ERR", "WRONGPASS", "NOAUTH", "OOM")) else code), text

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
        # The old password authenticates the change (the record still holds it).
        self._checked(addon, "CONFIG", "SET", "requirepass", password)
        self.command(dataclasses.replace(addon, db_password=password), "CONFIG", "REWRITE")

    def recover(self, addon: Addon) -> None:
        pass

    def destroy(self, addon: Addon) -> None:
        self.containers.remove(addon)
