"""Eco dyno hours against real Docker and nginx: an eco app's dynos spend the pool,
`ps` says what is left in Heroku's words, a spent pool puts the web dyno and the worker
to sleep and answers H82 with Heroku's log line, a basic app serves regardless, and a
raised pool lets the app wake on its next request."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.platform_fixture import Server, deployed, logs, ps, wait_for


@pytest.mark.server_env(MINIDYNO_ECO_HOURS="0.004")
def test_a_spent_pool_puts_eco_apps_to_sleep_until_it_is_raised(server: Server, tmp_path: Path):
    deployed(server, tmp_path, "thrifty")
    server.cli("ps:scale", "worker=1", "-a", "thrifty")
    listing = server.cli("ps", "-a", "thrifty").stdout
    assert "Eco dyno hours quota remaining this month: 0h 0m (" in listing
    assert "Eco dyno usage for this app: 0h 0m (" in listing
    assert "https://devcenter.heroku.com/articles/eco-dyno-hours" in listing

    # 14.4 s of pool, two dynos: spent within seconds.
    wait_for(lambda: "Eco dyno hours quota exhausted" in logs(server, "thrifty"), 60)
    wait_for(lambda: {d["state"] for d in ps(server, "thrifty").values()} == {"idle"}, 30)
    assert set(ps(server, "thrifty")) == {"web.1", "worker.1"}, "the worker sleeps with the web dyno"
    refused = server.router_get("thrifty")
    assert refused.status_code == 503 and "used all its eco dyno hours" in refused.text
    wait_for(lambda: 'code=H82 desc="Free app running time quota exhausted"' in logs(server, "thrifty"), 10)
    assert "Eco dyno hours quota remaining this month: 0h 0m (0%)" in server.cli("ps", "-a", "thrifty").stdout

    # Basic dynos are not in the pool.
    server.cli("ps:type", "basic", "-a", "thrifty")
    assert server.router_get("thrifty").status_code == 200
    assert "Eco dyno hours" not in server.cli("ps", "-a", "thrifty").stdout
    server.cli("ps:type", "eco", "-a", "thrifty")
    wait_for(lambda: server.router_get("thrifty").status_code == 503, 30)

    # Raised, the pool lets the app wake, worker included.
    server.api("PATCH", "/platform", json={"eco_hours": 1000}).raise_for_status()
    assert server.router_get("thrifty", timeout=60).status_code == 200
    wait_for(lambda: {d["state"] for d in ps(server, "thrifty").values()} == {"up"}, 30)
