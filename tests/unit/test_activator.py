"""The activator (what nginx hands an app with no web dyno up) over the in-memory
driver, whose web dynos answer real HTTP on loopback: one wake however many requests
wait, every request answered, headers kept apart, and Heroku's H-codes. Through
nginx and real Docker in tests/integration/test_router.py."""

from __future__ import annotations

import asyncio

import httpx

from minidyno.router.activator import Activator
from minidyno.runtime.idling import WebStatus
from tests.unit.dyno_fixture import APP, Manager, wait_for


def activator(manager: Manager, timeout: float = 30, out_of_hours: bool = False) -> Activator:
    def dyno_at(address: str) -> str:
        return next((d.name for d in manager.driver.dynos(APP) if d.address == address), "")

    return Activator(manager.idler, lambda app: out_of_hours, dyno_at, timeout)


def ask(gate: Activator, count: int = 1) -> list[httpx.Response]:
    """`count` requests at once, as nginx would hand them over."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=gate.asgi())
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.localhost") as client:
            return await asyncio.gather(
                *(client.get(f"/?n={n}", headers={"x-minidyno-app": APP}) for n in range(count))
            )

    return asyncio.run(go())


def test_requests_to_a_sleeping_app_wake_it_once_and_are_all_answered(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    manager.idler.idle(APP)
    assert manager.idler.web_status(APP) == WebStatus.IDLE

    answers = ask(activator(manager), count=5)

    assert [(r.status_code, r.text) for r in answers] == [(200, "web.1 v1")] * 5
    assert [line for line in manager.log() if line.endswith("Unidling")] == ["web.1: Unidling"]
    assert answers[0].headers.get_list("set-cookie") == ["a=1", "b=2"], "repeated headers kept apart"
    assert answers[0].headers["x-minidyno-dyno"] == "web.1"


def test_no_web_dyno_is_h14_and_crashed_ones_h10(manager: Manager):
    manager.release({"web": "serve"}, {"web": 0})
    [none] = ask(activator(manager))
    assert (none.status_code, none.headers["x-minidyno-code"]) == (503, "H14")

    manager.release({"web": "crash"}, {"web": 1})
    manager.supervisor.reconcile(APP)
    wait_for(lambda: manager.idler.web_status(APP) == WebStatus.CRASHED, "web crashed")
    [crashed] = ask(activator(manager))
    assert (crashed.status_code, crashed.headers["x-minidyno-code"]) == (503, "H10")


def test_an_eco_app_out_of_eco_hours_is_h82_and_left_asleep(manager: Manager):
    manager.serving({"web": "serve"}, {"web": 1})
    manager.idler.idle(APP)
    [refused] = ask(activator(manager, out_of_hours=True))
    assert (refused.status_code, refused.headers["x-minidyno-code"]) == (503, "H82")
    assert "used all its eco dyno hours" in refused.text
    assert manager.idler.web_status(APP) == WebStatus.IDLE


def test_a_dyno_slower_than_the_router_timeout_is_h12(manager: Manager):
    manager.serving({"web": "slow"}, {"web": 1})
    [late] = ask(activator(manager, timeout=0.5))
    assert (late.status_code, late.headers["x-minidyno-code"]) == (503, "H12")
