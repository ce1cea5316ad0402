"""The release layer's logic over the in-memory driver: what a release writes, what a
failure leaves as it was, config changes before and after the first deploy, and
rollback. The same paths against real Docker are in tests/integration/test_dynos.py."""

from __future__ import annotations

import pytest

from minidyno.errors import NotFound, UserError
from minidyno.release import phase
from minidyno.release.phase import ReleasePhaseFailed
from minidyno.runtime.boot import BootFailed
from minidyno.state import apps, config_vars, releases
from minidyno.state.releases import Slug
from tests.unit.dyno_fixture import APP, Manager, wait_for

SERVE = Slug("img:v1", "trixie", "abc", {"web": "serve"})


def said() -> tuple[list[str], object]:
    lines: list[str] = []
    return lines, lines.append


def config(manager: Manager) -> dict[str, str]:
    with manager.db.connect() as conn:
        return config_vars.get_all(conn, APP)


def statuses(manager: Manager) -> list[tuple[int, str]]:
    with manager.db.connect() as conn:
        return [(r.version, r.status) for r in releases.history(conn, APP)]


def first_release(manager: Manager, slug: Slug = SERVE, **config: str) -> releases.Release:
    with manager.db.connect() as conn:
        apps.create(conn, APP)
    _, say = said()
    release = manager.releaser.release(APP, "Deploy abc", slug, config=config, say=say, web_must_boot=True)
    wait_for(lambda: manager.driver.running(APP) == ["web.1"], "web.1 up")
    return release


def test_config_set_before_the_first_deploy_is_kept_for_the_build(manager: Manager):
    with manager.db.connect() as conn:
        apps.create(conn, APP)
    _, say = said()
    assert manager.config.change(APP, {"GREETING": "hi"}, say) is None
    assert config(manager) == {"GREETING": "hi"}
    assert statuses(manager) == [], "no image yet, so no release"


def test_a_config_change_is_a_release_with_the_same_slug_and_new_dynos(manager: Manager):
    first = first_release(manager, GREETING="hi")
    old = manager.driver.dynos(APP)[0].id
    _, say = said()
    second = manager.config.change(APP, {"GREETING": "hello", "EXTRA": "1"}, say)
    assert (second.version, second.slug, second.config) == (
        2,
        first.slug,
        {"GREETING": "hello", "EXTRA": "1"},
    )
    assert second.description == "Set GREETING, EXTRA config vars"
    wait_for(lambda: [d.release for d in manager.driver.dynos(APP)] == [2], "the old dyno retired")
    assert old not in [d.id for d in manager.driver.dynos(APP)]


def test_a_bad_config_var_changes_nothing(manager: Manager):
    first_release(manager, GREETING="hi")
    _, say = said()
    for bad in ({"1ST": "x"}, {"PORT": "80"}, {"BIG": "x" * 40_000}):
        with pytest.raises(UserError):
            manager.config.change(APP, bad, say)
    assert config(manager) == {"GREETING": "hi"}
    assert statuses(manager) == [(1, "succeeded")]


def test_a_failing_release_phase_leaves_the_running_release_and_its_config(manager: Manager):
    first_release(manager, Slug("img:v1", "trixie", "abc", {"web": "serve", "release": "migrate"}), A="1")
    assert manager.phases == ["v1: migrate"]
    _, say = said()
    failing = Slug("img:v2", "trixie", "def", {"web": "serve", "release": "fail"})
    with pytest.raises(ReleasePhaseFailed):
        manager.releaser.release(APP, "Deploy def", failing, config={"A": "2"}, say=say, web_must_boot=True)
    assert statuses(manager) == [(2, "failed"), (1, "succeeded")]
    assert config(manager) == {"A": "1"}
    assert [(d.release, d.running) for d in manager.driver.dynos(APP)] == [(1, True)]


def test_an_add_on_change_skips_the_release_phase_as_on_heroku(manager: Manager):
    first_release(manager, Slug("img:v1", "trixie", "abc", {"web": "serve", "release": "migrate"}))
    _, say = said()
    manager.config.change(APP, {"DATABASE_URL": "postgres://x"}, say, addon_change=True)
    assert manager.phases == ["v1: migrate"]
    assert config(manager) == {"DATABASE_URL": "postgres://x"}


def test_a_push_whose_web_crashes_fails_but_a_config_change_that_crashes_it_stands(manager: Manager):
    first_release(manager)
    crashing = Slug("img:v2", "trixie", "def", {"web": "crash"})
    lines, say = said()
    with pytest.raises(BootFailed):
        manager.releaser.release(APP, "Deploy def", crashing, config={}, say=say, web_must_boot=True)
    assert statuses(manager)[0] == (2, "failed")

    manager.releaser.release(APP, "Set A config vars", crashing, config={"A": "1"}, say=say)
    assert statuses(manager)[0] == (3, "succeeded")
    assert config(manager) == {"A": "1"}
    assert any("v3 is released; the dyno restarts on the crash cool-off" in line for line in lines)


def test_rollback_goes_to_the_release_before_the_current_one_and_refuses_a_failed_one(manager: Manager):
    first_release(manager, GREETING="hi")
    _, say = said()
    manager.config.change(APP, {"GREETING": "hello"}, say)
    with pytest.raises(BootFailed):
        manager.releaser.release(
            APP,
            "Deploy bad",
            Slug("img:v3", "trixie", "bad", {"web": "crash"}),
            config={},
            say=say,
            web_must_boot=True,
        )

    back = manager.config.rollback(APP, None, say)
    assert (back.version, back.description, back.config) == (4, "Rollback to v1", {"GREETING": "hi"})
    again = manager.config.rollback(APP, 2, say)
    assert (again.version, again.slug, again.config) == (5, SERVE, {"GREETING": "hello"})
    with pytest.raises(UserError, match="v3 never ran"):
        manager.config.rollback(APP, 3, say)
    with pytest.raises(NotFound):
        manager.config.rollback(APP, 9, say)


def test_the_release_phase_streams_its_output_and_fails_on_an_exit_or_a_timeout(manager: Manager):
    lines, say = said()
    done = manager.release({"web": "serve", "release": "echo migrated 3 tables"})
    phase.run(manager.driver, manager.logs, done, 5, say)
    assert lines == ["-----> Running release command: echo migrated 3 tables", "       migrated 3 tables"]
    assert "release.1: migrated 3 tables" in manager.log()
    assert "release.1: Process exited with status 0" in manager.log()

    failing = manager.release({"web": "serve", "release": "exit 3"})
    with pytest.raises(ReleasePhaseFailed, match="exited with status 3; v2 was not released"):
        phase.run(manager.driver, manager.logs, failing, 5, say)
    endless = manager.release({"web": "serve", "release": "sleep"})
    with pytest.raises(ReleasePhaseFailed, match="ran longer than 1 s and was stopped; v3 was not released"):
        phase.run(manager.driver, manager.logs, endless, 1, say)
