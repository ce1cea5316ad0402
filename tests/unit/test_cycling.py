"""Dyno cycling, as Heroku restarts every dyno daily: a formation dyno past its day and
jitter is replaced by a new container, in Heroku's log lines; one not yet due, a
one-off dyno and a sleeping app's dynos are left alone. The engine's clock and the
cycler's `now` are set by each test, so nothing waits for a day to pass."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from minidyno import labels
from minidyno.runtime.cycling import JITTER_SHARE, Cycler, jitter
from minidyno.runtime.driver import Dyno
from minidyno.runtime.dynos import _as_dyno
from minidyno.runtime.states import State
from tests.unit.dyno_fixture import APP, Manager

DAY = 86400.0


def _latest_due(manager: Manager) -> float:
    return max(manager.cycler.due_at(d) or 0.0 for d in manager.driver.dynos(APP))


def test_a_dyno_past_its_day_and_jitter_is_replaced_by_a_new_container(manager: Manager):
    manager.serving({"web": "serve", "worker": "serve"}, {"web": 1, "worker": 1})
    old = {d.name: d.id for d in manager.driver.dynos(APP)}
    manager.cycler.cycle_due(now=_latest_due(manager) + 1)

    new = {d.name: d.id for d in manager.driver.dynos(APP)}
    assert new.keys() == old.keys() and not set(new.values()) & set(old.values()), "new containers"
    assert manager.driver.running(APP) == ["web.1", "worker.1"]
    assert set(manager.states().values()) == {State.UP}
    said = manager.log()
    web = [line for line in said[said.index("web.1: Cycling") :] if line.startswith("web.1: ")]
    assert web == [
        "web.1: Cycling",
        "web.1: State changed from up to starting",
        "web.1: Stopping all processes with SIGTERM",
        "web.1: Process exited with status 0",
        "web.1: Starting process with command `serve`",
        "web.1: serve is running",
        "web.1: State changed from starting to up",
    ]
    timeline = manager.driver.timeline
    routed_away = timeline.index("route []")
    assert routed_away < timeline.index("stop web.1") < timeline.index("start web.1 v1", routed_away), (
        "as Heroku without preboot: routed away, stopped, then the new one starts"
    )


def test_a_dyno_not_yet_due_is_left_alone(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    (dyno,) = manager.driver.dynos(APP)
    due = manager.cycler.due_at(dyno)
    assert due is not None and dyno.started_at is not None
    assert dyno.started_at + DAY <= due < dyno.started_at + DAY * (1 + JITTER_SHARE)
    manager.cycler.cycle_due(now=due - 1)
    assert [d.id for d in manager.driver.dynos(APP)] == [dyno.id]
    assert "web.1: Cycling" not in manager.log()


def test_one_off_dynos_are_never_cycled(manager: Manager):
    release = manager.release({"web": "serve"}, {"web": 0})
    one_off = manager.driver.start(release, "run.1", "serve")
    manager.supervisor.track(one_off, State.UP)
    manager.cycler.cycle_due(now=_latest_due(manager) + DAY)
    assert [d.id for d in manager.driver.dynos(APP)] == [one_off.id]
    assert "run.1: Cycling" not in manager.log()


def test_a_sleeping_apps_dynos_are_never_cycled(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    kept = manager.driver.dynos(APP)[0].id
    manager.idler.idle(APP)
    manager.cycler.cycle_due(now=_latest_due(manager) + DAY)
    assert [(d.id, d.running) for d in manager.driver.dynos(APP)] == [(kept, False)]
    assert "web.1: Cycling" not in manager.log()


def test_a_dyno_woken_from_idling_counts_its_day_from_its_wake_and_is_inspected_once(
    manager: Manager, monkeypatch: pytest.MonkeyPatch
):
    """The listing says when the container was made, two days before its wake: the cycler
    looks at the app's inspected dynos once to learn better, then leaves it be."""
    manager.driver.clock = lambda: 1000.0
    manager.serving({"web": "serve"}, {"web": 1})
    manager.idler.idle(APP)
    woken_at = 1000.0 + 2 * DAY
    manager.driver.clock = lambda: woken_at
    manager.idler.wake_or_wait(APP)
    (dyno,) = manager.driver.dynos(APP)

    inspected: list[str] = []
    listing = manager.driver.dynos

    def counted(app: str | None = None) -> list[Dyno]:
        if app is not None:
            inspected.append(app)
        return listing(app)

    monkeypatch.setattr(manager.driver, "dynos", counted)
    manager.cycler.cycle_due(now=woken_at + 60)
    manager.cycler.cycle_due(now=woken_at + 120)
    assert inspected == [APP], "inspected once, then known"
    assert [d.id for d in listing(APP)] == [dyno.id]

    manager.cycler.cycle_due(now=woken_at + DAY + jitter(dyno.id, DAY) + 1)
    assert [d.id for d in listing(APP)] != [dyno.id]
    assert "web.1: Cycling" in manager.log()


def test_jitter_is_within_216_of_1440_of_the_period_and_stable_for_a_dyno(manager: Manager):
    spread = [jitter(f"container-{i}", DAY) for i in range(500)]
    assert all(0 <= j < 216 * 60 for j in spread)
    assert max(spread) - min(spread) > 180 * 60, "spread over the 216 minutes"
    assert jitter("container-7", DAY) == jitter("container-7", DAY)
    assert jitter("container-7", 120) == pytest.approx(jitter("container-7", DAY) * 120 / DAY)

    manager.serving({"web": "serve"}, {"web": 1})
    (dyno,) = manager.driver.dynos(APP)
    c = manager.cycler
    restarted = Cycler(c.supervisor, c.driver, c.db, c.logs, c.sleeping, c.locks, c.period)
    assert restarted.due_at(dyno) == c.due_at(dyno), "a restarted server cycles it when the last would"


def test_the_docker_driver_reads_when_a_container_started_inspected_or_listed():
    tags = {labels.APP: APP, labels.DYNO: "web.1", labels.PROCESS: "web", labels.RELEASE: "3"}
    inspected = SimpleNamespace(
        id="c0ffee",
        attrs={
            "Config": {"Labels": tags, "Cmd": ["serve"]},
            "State": {"Status": "running", "StartedAt": "2026-01-02T03:04:05.123456789Z"},
            "NetworkSettings": {"Networks": {}, "Ports": {}},
        },
    )
    listed = SimpleNamespace(
        id="c0ffee", attrs={"Labels": tags, "State": "running", "Created": 1767322800, "Command": "serve"}
    )
    assert _as_dyno(inspected).started_at == pytest.approx(1767323045.123456)
    assert _as_dyno(listed).started_at == 1767322800.0


def test_a_cycle_is_no_request_so_an_eco_app_nobody_visits_still_idles_on_time(manager: Manager):
    """Heroku idles an eco app after 30 minutes without traffic; a cycle within them
    does not put that off."""
    manager.serving({"web": "serve"}, {"web": 1})
    (before,) = manager.driver.dynos(APP)
    came_up = manager.cycler.came_up(before)
    assert came_up is not None
    manager.cycler.cycle_due(now=_latest_due(manager) + 1)
    (after,) = manager.driver.dynos(APP)
    assert after.id != before.id
    assert manager.cycler.came_up(after) == came_up
    assert manager.idler.came_up(after) == came_up
