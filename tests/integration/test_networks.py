"""A class fits on one machine: each app's network comes from minidyno's own pool, a /26
each, so far more apps than Docker's default pools hold (about 30 networks) each get
one; a spent pool is a one-line error that says what to do; and every app's dynos are
read from one listing of the engine, which says of each what inspecting it would."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path

import pytest

from minidyno.errors import UserError
from minidyno.runtime.dynos import DockerRuntime
from minidyno.settings import Settings
from minidyno.state.releases import Release
from tests.integration.platform_fixture import remove_labelled, wait_for


def runtime_with_pool(tmp_path: Path, engine, pool: str) -> DockerRuntime:
    env = {"MINIDYNO_HOME": str(tmp_path / "home"), "MINIDYNO_NETWORK_POOL": pool}
    return DockerRuntime(Settings.from_env(env), engine)


def test_forty_apps_each_get_a_network_of_their_own_from_the_pool(tmp_path: Path, docker_engine):
    runtime = runtime_with_pool(tmp_path, docker_engine, "10.215.0.0/16")
    try:
        names = [runtime.ensure_network(f"student{i}") for i in range(40)]
        configs = [docker_engine.networks.get(name).attrs["IPAM"]["Config"] for name in names]
        subnets = [IPv4Network(config[0]["Subnet"]) for config in configs]
        assert all(s.prefixlen == 26 and s.subnet_of(runtime.settings.network_pool) for s in subnets)
        assert len(set(subnets)) == 40
        assert runtime.ensure_network("student0") == names[0], "an app's network is made once"
    finally:
        remove_labelled(str(runtime.settings.home))


def test_a_spent_pool_says_what_to_do_in_one_line(tmp_path: Path, docker_engine):
    runtime = runtime_with_pool(tmp_path, docker_engine, "10.214.0.0/24")
    try:
        for i in range(4):
            runtime.ensure_network(f"app{i}")
        with pytest.raises(UserError) as refused:
            runtime.ensure_network("app4")
        said = str(refused.value)
        assert "no free subnet is left for app4's network in MINIDYNO_NETWORK_POOL" in said
        assert "(10.214.0.0/24, 4 apps)" in said
        assert "destroy apps no longer needed, or set a larger pool" in said and "\n" not in said
    finally:
        remove_labelled(str(runtime.settings.home))


def test_a_dyno_listed_reads_as_it_does_inspected(tmp_path: Path, docker_engine):
    runtime = runtime_with_pool(tmp_path, docker_engine, "10.215.0.0/16")
    release = Release(
        app="listed",
        version=3,
        description="Deploy",
        image="minidyno/stack:trixie",
        stack="trixie",
        commit_sha=None,
        processes={"web": "exec python3 -m http.server $PORT", "worker": "exit 3"},
        images={},
        config={},
        status="succeeded",
        created_at="",
    )
    try:
        web = runtime.start(release, "web.1", release.processes["web"])
        worker = runtime.start(release, "worker.1", release.processes["worker"])
        wait_for(lambda: not runtime.inspect(worker).running, 30)
        listed = {d.name: d for d in runtime.dynos()}
        assert listed == {"web.1": runtime.inspect(web), "worker.1": runtime.inspect(worker)}
        assert listed["web.1"].command == "exec python3 -m http.server $PORT"
        assert listed["web.1"].published_port and listed["web.1"].address.endswith(":5000")
        assert (listed["worker.1"].running, listed["worker.1"].exit_code) == (False, 3)
    finally:
        remove_labelled(str(runtime.settings.home))
