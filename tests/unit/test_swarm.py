"""The swarm runtime's pure parts: Heroku's states from Swarm's task states, node
addresses, service names and the runtime setting. (Against a real swarm: the tests
marked `both_runtimes`, and tests/integration/test_swarm.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from docker.errors import NotFound

from minidyno.runtime.swarm_cluster import NodeAddresses, address_of
from minidyno.runtime.swarm_dynos import SwarmRuntime, _service_name, _Task
from minidyno.settings import Settings
from minidyno.state.releases import Release

LABELS = {
    "minidyno.home": "/h",
    "minidyno.app": "demo",
    "minidyno.process": "web",
    "minidyno.dyno": "web.2",
    "minidyno.release": "7",
    "minidyno.command": "gunicorn app:app",
}


class _Nodes:
    def of(self, node_id: str) -> str:
        return {"n1": "10.217.1.11"}[node_id]

    def lost(self, node_id: str) -> str:
        return f"its node {self.of(node_id)} was drained"


class _Api:
    """Only what mapping an ended task asks: whether its container was OOM-killed."""

    def __init__(self, oom: dict[str, bool]) -> None:
        self.oom = oom

    def inspect_container(self, container_id: str) -> dict:
        if container_id not in self.oom:
            raise NotFound("on another node")
        return {"State": {"OOMKilled": self.oom[container_id]}}


class _Engine:
    def __init__(self, oom: dict[str, bool] | None = None) -> None:
        self.api = _Api(oom or {})


def runtime(oom: dict[str, bool] | None = None) -> SwarmRuntime:
    made = SwarmRuntime.__new__(SwarmRuntime)
    made.nodes, made.engine, made._node_id = _Nodes(), _Engine(oom), "n1"
    return made


def service(replicas: int = 1, job: bool = False) -> dict:
    mode = {"ReplicatedJob": {"MaxConcurrent": 1}} if job else {"Replicated": {"Replicas": replicas}}
    return {"ID": "svc1", "Spec": {"Labels": LABELS, "Mode": mode}}


def task(state: str, desired: str = "running", exit_code: int | None = None, port: int | None = None) -> dict:
    status: dict = {"State": state, "Timestamp": "2026-12-03T18:15:38.894119309Z"}
    if exit_code is not None or state in ("running", "failed", "complete", "shutdown"):
        status["ContainerStatus"] = {"ContainerID": "c1", "ExitCode": exit_code}
    if port:
        status["PortStatus"] = {"Ports": [{"TargetPort": 5000, "PublishedPort": port, "PublishMode": "host"}]}
    return {"ID": "t1", "NodeID": "n1", "DesiredState": desired, "Status": status, "Version": {"Index": 9}}


def test_a_running_task_is_an_up_dyno_at_its_nodes_host_port():
    dyno = runtime()._as_dyno(_Task(service(), task("running", port=30123)))

    assert (dyno.id, dyno.app, dyno.name, dyno.process_type, dyno.release) == (
        "svc1",
        "demo",
        "web.2",
        "web",
        7,
    )
    assert dyno.running and dyno.exit_code is None
    assert dyno.address == "10.217.1.11:30123"
    assert dyno.command == "gunicorn app:app"
    assert dyno.started_at == pytest.approx(datetime(2026, 12, 3, 18, 15, 38, 894119, UTC).timestamp())


@pytest.mark.parametrize("state", ["new", "pending", "assigned", "preparing", "starting"])
def test_a_task_on_its_way_is_a_starting_dyno_with_no_address_yet(state: str):
    """Not crashed: the supervisor would restart a dyno it saw not running."""
    dyno = runtime()._as_dyno(_Task(service(), task(state)))

    assert dyno.running and dyno.address is None and dyno.exit_code is None


def test_a_service_with_no_task_yet_is_starting():
    assert runtime()._as_dyno(_Task(service(), None)).running


def test_a_failed_task_is_a_crashed_dyno_with_its_status_and_the_kernels_oom_kill():
    dyno = runtime({"c1": True})._as_dyno(_Task(service(), task("failed", exit_code=137)), inspected=True)

    assert not dyno.running and dyno.exit_code == 137 and dyno.oom_killed
    assert dyno.address is None


def test_a_task_rejected_before_it_had_a_container_exited_1():
    """Swarm could not start it (an image no node could pull): no status of its own."""
    rejected = task("rejected")
    rejected["Status"].pop("ContainerStatus", None)

    dyno = runtime()._as_dyno(_Task(service(), rejected))

    assert not dyno.running and dyno.exit_code == 1 and not dyno.oom_killed


def test_a_service_scaled_to_none_is_a_stopped_dyno_even_before_its_task_ends():
    """An idled dyno, or one being stopped: never `running`, so no one routes to it."""
    stopping = runtime()._as_dyno(_Task(service(replicas=0), task("running", desired="shutdown", port=1)))
    stopped = runtime()._as_dyno(
        _Task(service(replicas=0), task("shutdown", desired="shutdown", exit_code=0))
    )

    assert not stopping.running and stopping.address is None
    assert not stopped.running and stopped.exit_code == 0


@pytest.mark.parametrize("state", ["preparing", "starting", "running", "shutdown", "orphaned"])
def test_a_task_swarm_shut_down_unasked_was_lost_with_its_node(state: str):
    """A drained node's task, or a lost node's: wanted shut down by no scaling of
    minidyno's, and not ended by itself. Listings do not ask the node."""
    shut_down = task(state, desired="shutdown", port=30123)

    lost = runtime()._as_dyno(_Task(service(), shut_down), inspected=True)
    listed = runtime()._as_dyno(_Task(service(), shut_down))
    failed = runtime()._as_dyno(
        _Task(service(), task("failed", desired="shutdown", exit_code=3)), inspected=True
    )

    assert not lost.running and lost.address is None and lost.lost == "its node 10.217.1.11 was drained"
    assert not listed.running and listed.lost == ""
    assert not failed.running and failed.exit_code == 3 and failed.lost == ""


def test_a_dyno_minidyno_scaled_to_none_is_never_lost_whatever_its_node():
    """Idled or stopped: its task is shut down by minidyno's own scaling."""
    idled = task("shutdown", desired="shutdown", exit_code=0)

    assert runtime()._as_dyno(_Task(service(replicas=0), idled), inspected=True).lost == ""


@pytest.mark.parametrize(
    ("node", "said"),
    [
        ({"Status": {"State": "ready", "Addr": "10.217.1.13"}, "Spec": {"Availability": "active"}}, ""),
        (
            {"Status": {"State": "ready", "Addr": "10.217.1.13"}, "Spec": {"Availability": "drain"}},
            "its node 10.217.1.13 was drained",
        ),
        (
            {"Status": {"State": "down", "Addr": "10.217.1.13"}, "Spec": {"Availability": "active"}},
            "its node 10.217.1.13 is down (it left the swarm, or stopped answering)",
        ),
        (None, "its node n3 was removed from the swarm"),
    ],
)
def test_a_node_is_lost_when_drained_down_or_removed(node: dict | None, said: str):
    class Api:
        def inspect_node(self, node_id: str) -> dict:
            if node is None:
                raise NotFound("no such node")
            return node

    nodes = NodeAddresses(type("Engine", (), {"api": Api()})())

    assert nodes.lost("n3") == said


def test_a_job_runs_until_its_task_completes():
    """A job's task wants `complete`, not `running`."""
    running = runtime()._as_dyno(_Task(service(job=True), task("running", desired="complete")))
    done = runtime()._as_dyno(_Task(service(job=True), task("complete", desired="complete", exit_code=0)))

    assert running.running
    assert not done.running and done.exit_code == 0


def test_a_managers_address_comes_from_its_manager_status_when_it_reported_none():
    assert address_of({"Status": {"Addr": "10.217.1.12"}}) == "10.217.1.12"
    manager = {"Status": {"Addr": "0.0.0.0"}, "ManagerStatus": {"Addr": "10.217.1.11:2377"}}
    assert address_of(manager) == "10.217.1.11"


def test_service_names_fit_swarms_63_characters_and_differ_per_start():
    settings = Settings(home=Path("/tmp/h"))
    release = Release("a" * 30, 123, "", "img", "trixie", None, {}, {}, {}, "succeeded", "")

    names = {_service_name(settings, release, "worker.20") for _ in range(20)}

    assert all(len(n) <= 63 and "-worker-20-v123-" in n and "." not in n for n in names)
    assert len(names) > 1


def test_the_runtime_setting_is_docker_or_swarm_and_says_so_otherwise():
    assert Settings.from_env({"MINIDYNO_HOME": "/tmp/h"}).runtime == "docker"
    assert Settings.from_env({"MINIDYNO_HOME": "/tmp/h", "MINIDYNO_RUNTIME": "swarm"}).runtime == "swarm"
    with pytest.raises(SystemExit, match="MINIDYNO_RUNTIME='k8s' is not one of docker, swarm"):
        Settings.from_env({"MINIDYNO_HOME": "/tmp/h", "MINIDYNO_RUNTIME": "k8s"})
