"""The API's contract through FastAPI's TestClient, on a real Platform (its own home and
state) whose engine is never reached: the token, and the one-line errors that change
nothing, on the paths that decide before any dyno or router is touched. The paths that
do reach Docker and nginx are in tests/integration."""

from __future__ import annotations

from tests.unit.api_fixture import Api


def test_everything_but_health_needs_the_token(api: Api):
    assert api.client.get("/health").status_code == 200
    for path in ("/apps", "/apps/shop/config", "/openapi.json"):
        assert api.client.get(path).status_code == 401
        assert api.client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert api.call("GET", "/apps/shop/config") == (200, {})


def test_config_before_the_first_deploy_is_kept_and_a_bad_name_changes_nothing(api: Api):
    assert api.stream("PATCH", "/apps/shop/config", json={"GREETING": "hi"}) == {"ok": True, "release": None}
    bad = api.stream("PATCH", "/apps/shop/config", json={"GREETING": "hello", "1ST": "x"})
    assert bad["error"].startswith("invalid config var name '1ST'")
    reserved = api.stream("PATCH", "/apps/shop/config", json={"PORT": "80"})
    assert "PORT is set by minidyno for each dyno" in reserved["error"]
    assert api.call("GET", "/apps/shop/config") == (200, {"GREETING": "hi"})


def test_what_needs_a_release_says_push_first(api: Api):
    status, body = api.call("PATCH", "/apps/shop/formation", json=["web=2"])
    assert (status, body) == (404, {"error": "shop has no release yet; push it first"})
    assert "push first" in api.stream("POST", "/apps/shop/releases", json={})["error"]
    status, body = api.call("POST", "/apps/shop/dynos", json={"command": "bash"})
    assert status == 404 and "push it before `run`" in body["error"]


def test_unknown_apps_add_ons_and_plans_get_one_line_with_what_to_do(api: Api):
    status, body = api.call("GET", "/apps/nope/config")
    assert status == 404 and "nope" in body["error"]
    status, body = api.call("POST", "/apps/shop/addons", json={"service": "mailgun"})
    assert status == 400
    assert body["error"].startswith(
        "unknown add-on 'mailgun': the add-ons here are postgres (also postgresql, heroku-postgresql);"
    )
    assert "; scheduler" in body["error"]
    status, body = api.call("POST", "/apps/shop/addons", json={"service": "postgres", "plan": "premium-0"})
    plans = "hobby-dev, standard, essential-0, essential-1, essential-2"
    assert body["error"] == f"unknown plan 'premium-0': the plans are {plans}"
    assert api.call("GET", "/apps/shop/addons") == (200, [])
