"""Eco dyno hours over the in-memory driver: running dynos of eco apps spend the pool,
sleeping ones and basic apps do not, a spent pool puts eco apps (workers too) to sleep
and answers H82, and a raised pool lets them run again."""

from __future__ import annotations

from minidyno.runtime.eco_hours import EcoHours
from minidyno.state import apps
from tests.unit.dyno_fixture import APP, Manager

T0 = 1_796_000_000.0  # 2026-11-30, UTC


def meter(manager: Manager, seconds: float) -> EcoHours:
    idler = manager.idler
    hours = seconds / 3600
    return EcoHours(manager.driver, manager.db, idler, idler.sleeping, idler.locks, manager.logs, hours)


def test_running_dynos_spend_the_pool_until_it_is_spent_then_everything_sleeps(manager: Manager):
    manager.serving({"web": "serve", "worker": "serve"}, {"web": 1, "worker": 1})
    eco = meter(manager, 10)
    eco.count(T0)
    eco.count(T0 + 4)
    assert eco.balance(APP, T0 + 4).app_used == 8, "two dynos for 4 s"
    assert not eco.exhausted(APP, T0 + 4)

    eco.count(T0 + 6)
    assert eco.balance(now=T0 + 6).remaining == 0
    assert eco.exhausted(APP, T0 + 6)
    assert manager.driver.running(APP) == [], "web and worker asleep"
    assert any("Eco dyno hours quota exhausted" in line for line in manager.log())

    eco.count(T0 + 30)
    assert eco.balance(now=T0 + 30).used == 12, "a sleeping app spends nothing"

    with manager.db.connect() as conn:
        apps.set_flag(conn, APP, "dyno_type", "basic")
    assert not eco.exhausted(APP, T0 + 30), "basic apps are not in the pool"
    with manager.db.connect() as conn:
        apps.set_flag(conn, APP, "dyno_type", "eco")
    eco.quota = 3600
    assert not eco.exhausted(APP, T0 + 30), "a raised pool lets the app wake on its next request"


def test_a_worker_only_app_wakes_when_the_pool_is_raised(manager: Manager):
    manager.serving({"worker": "serve"}, {"worker": 1})
    eco = meter(manager, 1)
    eco.count(T0)
    eco.count(T0 + 2)
    assert manager.driver.running(APP) == []
    eco.quota = 3600
    eco.count(T0 + 3)
    assert manager.driver.running(APP) == ["worker.1"]


def test_a_new_month_starts_a_full_pool(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    eco = meter(manager, 10)
    eco.count(T0)
    eco.count(T0 + 20)
    assert eco.balance(now=T0 + 20).remaining == 0
    assert eco.balance(now=T0 + 3 * 86400).remaining == 10
