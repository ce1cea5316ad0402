"""The dyno manager's logic through the runtime interface, with an in-memory driver:
reconciling a formation, crash restarts and their cool-off, R10, scaling, releases
that never succeeded, idling and waking, and a rollout that is undone or stands.
The same behaviour against real Docker is in tests/integration."""

from __future__ import annotations

import dataclasses

import pytest

from minidyno.runtime import rollout
from minidyno.runtime.boot import BootFailed
from minidyno.runtime.driver import DynoGone
from minidyno.runtime.idling import WebStatus
from minidyno.runtime.states import State
from minidyno.state import apps, formation, releases
from minidyno.state.releases import Slug
from tests.unit.dyno_fixture import APP, Manager, wait_for


def test_the_formation_is_started_and_web_is_up_once_it_binds(manager: Manager):
    manager.release({"web": "serve", "worker": "serve"}, {"web": 2, "worker": 1})
    manager.supervisor.reconcile(APP)
    assert manager.driver.running(APP) == ["web.1", "web.2", "worker.1"]
    wait_for(lambda: set(manager.states().values()) == {State.UP}, "every dyno up")
    assert "web.1: Starting process with command `serve`" in manager.log()
    assert "web.1: State changed from starting to up" in manager.log()
    # A second pass changes nothing: what runs is what the formation asks for.
    before = list(manager.driver.timeline)
    manager.supervisor.reconcile(APP)
    assert [t for t in manager.driver.timeline[len(before) :] if not t.startswith("route")] == []


def test_a_crash_restarts_at_once_then_waits_out_the_cool_off(manager: Manager):
    manager.release({"web": "serve", "worker": "serve"}, {"web": 0, "worker": 1})
    manager.supervisor.reconcile(APP)
    manager.driver.crash("worker.1")
    manager.supervisor.reconcile(APP)
    assert manager.driver.running(APP) == ["worker.1"], "the first crash restarts at once"
    assert "worker.1: Process exited with status 1" in manager.log()

    manager.driver.crash("worker.1")
    manager.supervisor.reconcile(APP)
    assert "worker.1: Crashed 2 times in a row; restarting in 60 s" in manager.log()
    manager.supervisor.reconcile(APP)
    assert manager.driver.running(APP) == [], "the second waits for its cool-off"
    assert manager.states() == {"worker.1": State.CRASHED}


def test_a_dyno_lost_with_its_node_starts_again_at_once_and_is_no_crash(manager: Manager):
    """Twice in a row, and no cool-off: the app did not crash, its node went away."""
    manager.release({"web": "serve", "worker": "serve"}, {"web": 0, "worker": 1})
    manager.supervisor.reconcile(APP)
    for _ in range(2):
        manager.driver.lose("worker.1", "its node 10.217.1.13 was drained")
        manager.supervisor.reconcile(APP)
        assert manager.driver.running(APP) == ["worker.1"]

    log = manager.log()
    lost = log.index("worker.1: Process lost: its node 10.217.1.13 was drained; restarting it")
    assert log[lost + 1 : lost + 3] == [
        "worker.1: State changed from up to starting",
        "worker.1: Starting process with command `serve`",
    ]
    assert not any("Crashed" in line or "Process exited" in line or "crashed" in line for line in log)


def test_a_web_dyno_that_never_binds_is_killed_with_r10(manager: Manager):
    release = manager.release({"web": "hang"}, {"web": 0})
    dyno = manager.supervisor.start_dyno(release, "web.1")
    with pytest.raises(BootFailed, match="R10"):
        manager.supervisor.boot(dyno)
    assert (
        "web.1: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 1 seconds of launch"
        in manager.log()
    )
    assert "kill web.1" in manager.driver.timeline
    assert manager.states() == {"web.1": State.CRASHED}


def test_a_web_dyno_removed_while_it_boots_is_no_crash(manager: Manager):
    release = manager.release({"web": "hang"}, {"web": 0})
    dyno = manager.supervisor.start_dyno(release, "web.1")
    manager.driver.remove(dyno)
    with pytest.raises(DynoGone):
        manager.supervisor.boot(dyno)
    assert not [line for line in manager.log() if "exited" in line or "crashed" in line]


def test_scaling_down_retires_the_surplus_and_out_of_range_changes_nothing(manager: Manager):
    manager.serving({"web": "serve", "worker": "serve"}, {"web": 2, "worker": 0})
    assert manager.scaler.scale(APP, {"web": "-1"}) == {"web": 1, "worker": 0}
    wait_for(lambda: manager.driver.running(APP) == ["web.1"], "web.2 stopped")
    with pytest.raises(Exception, match="out of range"):
        manager.scaler.scale(APP, {"worker": "=11"})
    with manager.db.connect() as conn:
        assert formation.get(conn, APP) == {"web": 1, "worker": 0}


def test_dynos_of_a_release_that_never_succeeded_are_never_adopted(manager: Manager):
    good = manager.release({"web": "serve"}, {"web": 1})
    unfinished = dataclasses.replace(good, version=good.version + 1)
    manager.driver.start(unfinished, "web.1", "serve")
    manager.supervisor.reconcile(APP)
    wait_for(lambda: [d.release for d in manager.driver.dynos(APP)] == [good.version], "only v1 left")


def test_an_idle_app_is_routed_away_before_its_dynos_stop_and_wakes_on_the_kept_ones(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    kept = manager.driver.dynos(APP)[0].id
    manager.idler.idle_timeout = 0
    manager.idler.idle_due()

    timeline = manager.driver.timeline
    assert timeline.index("route []") < timeline.index("stop web.1"), "routed away first"
    assert manager.idler.web_status(APP) == WebStatus.IDLE
    assert manager.states() == {"web.1": State.IDLE}
    manager.supervisor.reconcile(APP)
    assert manager.driver.running(APP) == [], "the supervisor leaves a sleeping app asleep"

    addresses = manager.idler.wake_or_wait(APP)
    assert [d.id for d in manager.driver.dynos(APP)] == [kept], "the kept container, not a new one"
    assert addresses == [manager.driver.dynos(APP)[0].address]
    assert manager.idler.web_status(APP) == WebStatus.UP
    assert "web.1: Unidling" in manager.log()


def test_an_eco_apps_workers_sleep_and_wake_with_its_web_dynos(manager: Manager):
    manager.serving({"web": "serve", "worker": "serve"}, {"web": 1, "worker": 1})
    kept = {d.name: d.id for d in manager.driver.dynos(APP)}
    manager.idler.idle(APP)
    assert manager.driver.running(APP) == []
    assert manager.states() == {"web.1": State.IDLE, "worker.1": State.IDLE}
    manager.supervisor.reconcile(APP)
    assert manager.driver.running(APP) == [], "the supervisor leaves the worker asleep too"

    manager.idler.wake_or_wait(APP)
    assert manager.driver.running(APP) == ["web.1", "worker.1"]
    assert {d.name: d.id for d in manager.driver.dynos(APP)} == kept, "the kept containers"
    assert manager.states() == {"web.1": State.UP, "worker.1": State.UP}
    assert "worker.1: Unidling" in manager.log()


def test_waking_after_a_new_release_starts_fresh_dynos(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    manager.idler.idle(APP)
    newer = manager.release({"web": "serve"})
    manager.idler.wake(APP)
    assert [d.release for d in manager.driver.dynos(APP)] == [newer.version]


def test_a_crashed_app_meets_h10_and_an_app_without_web_h14(manager: Manager):
    manager.release({"web": "crash"}, {"web": 1})
    manager.supervisor.reconcile(APP)
    wait_for(lambda: manager.idler.web_status(APP) == WebStatus.CRASHED, "web crashed")
    manager.scaler.scale(APP, {"web": "=0"})
    assert manager.idler.web_status(APP) == WebStatus.NONE


def test_a_push_whose_web_crashes_is_undone_and_the_old_release_serves(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    broken = manager.release({"web": "crash"})
    said: list[str] = []
    with pytest.raises(BootFailed):
        rollout.roll(manager.supervisor, broken, {"web": 1}, said.append)
    assert [(d.release, d.running) for d in manager.driver.dynos(APP)] == [(1, True)]


def test_a_config_release_whose_web_crashes_stands(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    crashing = manager.release({"web": "crash"})
    said: list[str] = []
    rollout.roll(manager.supervisor, crashing, {"web": 1}, said.append, web_must_boot=False)
    assert f" !     v{crashing.version} is released; the dyno restarts on the crash cool-off" in "\n".join(
        said
    ).replace(" (see minidyno ps and minidyno logs)", "")
    wait_for(lambda: [d.release for d in manager.driver.dynos(APP)] == [crashing.version], "v1 retired")


def test_a_pass_over_many_apps_lists_the_engine_once_and_acts_only_where_dynos_differ(
    manager: Manager, monkeypatch: pytest.MonkeyPatch
):
    """A class's hundred apps: a pass asks the engine once for every app, not once per
    app, and still starts what is missing and restarts what crashed."""
    with manager.db.connect() as conn:
        for index in range(100):
            app = f"class-{index:03d}"
            apps.create(conn, app)
            made = releases.create(conn, app, "Deploy", Slug("img", "trixie", None, {"worker": "serve"}), {})
            releases.set_status(conn, app, made.version, "succeeded")
            formation.ensure_types(conn, app, ["worker"])
            formation.set_quantity(conn, app, "worker", 1)
    manager.supervisor.reconcile_all()
    assert len([d for d in manager.driver.dynos() if d.running]) == 100

    asked: list[str | None] = []
    listing = manager.driver.dynos
    monkeypatch.setattr(manager.driver, "dynos", lambda app=None: asked.append(app) or listing(app))
    manager.supervisor.reconcile_all()
    assert asked == [None], "in step: one listing for every app, nothing else"

    manager.driver.crash("worker.1")  # of class-000, the first listed
    asked.clear()
    manager.supervisor.reconcile_all()
    assert asked == [None, "class-000"], "only the app whose dyno crashed is looked at again"
    assert manager.driver.running("class-000") == ["worker.1"]
