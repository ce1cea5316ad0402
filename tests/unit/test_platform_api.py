"""Heroku's Platform API v3 as minidyno serves it, through FastAPI's TestClient on a real
Platform whose engine is never reached: the media type that picks it, Heroku's error
shape (the gate's 401 included), ids that hold still, Range paging, and the secrets of
log sessions. The CLI's own runs are in tests/integration."""

from __future__ import annotations

import uuid

import httpx
import pytest

from minidyno.api.heroku import paging
from minidyno.errors import UserError
from minidyno.state import apps, releases
from minidyno.state.releases import Slug
from tests.unit.api_fixture import Api

V3 = "application/vnd.heroku+json; version=3"


def heroku(api: Api, method: str, path: str, **kwargs) -> httpx.Response:
    headers = {"Accept": V3, "Authorization": f"Bearer {api.token}", **kwargs.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **kwargs)


def test_heroku_s_media_type_picks_the_platform_api_on_the_same_paths(api: Api):
    own = api.client.get("/apps/shop/formation", headers={"Authorization": f"Bearer {api.token}"})
    assert own.json() == {} and heroku(api, "GET", "/apps/shop/formation").json() == []
    theirs = heroku(api, "GET", "/apps/shop").json()
    assert theirs["name"] == "shop" and uuid.UUID(theirs["id"])
    assert theirs["created_at"].endswith("Z") and theirs["build_stack"]["name"] == theirs["stack"]["name"]
    assert heroku(api, "GET", f"/apps/{theirs['id']}").json()["id"] == theirs["id"]
    assert heroku(api, "GET", "/apps/shop", headers={"Accept": f"{V3}.sdk"}).json() == theirs


def test_errors_have_heroku_s_id_and_message(api: Api):
    missing = heroku(api, "GET", "/apps/nope")
    assert missing.status_code == 404 and missing.json()["id"] == "not_found"
    assert "nope" in missing.json()["message"]
    bad = heroku(api, "POST", "/apps", json={"name": "Not A Name"})
    assert bad.status_code == 400 and set(bad.json()) == {"id", "message"}
    unauthorized = api.client.get("/apps", headers={"Accept": V3, "Authorization": "Bearer wrong"})
    assert unauthorized.status_code == 401 and unauthorized.json()["id"] == "unauthorized"
    assert heroku(api, "GET", "/apps").status_code == 200


def test_a_config_change_before_the_first_deploy_is_kept_and_a_bad_name_changes_nothing(api: Api):
    assert heroku(api, "PATCH", "/apps/shop/config-vars", json={"GREETING": "hi"}).json() == {
        "GREETING": "hi"
    }
    refused = heroku(api, "PATCH", "/apps/shop/config-vars", json={"1BAD": "x", "OTHER": "y"})
    assert refused.status_code == 400
    assert heroku(api, "GET", "/apps/shop/config-vars").json() == {"GREETING": "hi"}


def test_lists_page_by_range_and_say_where_the_next_page_starts(api: Api):
    with api.platform.db.connect() as conn:
        for name in ("alpha", "beta", "gamma"):
            apps.create(conn, name)
        slug = Slug(image="img", stack="trixie", commit_sha=None, processes={"web": "gunicorn app:app"})
        for _ in range(3):
            made = releases.create(conn, "shop", "Deploy", slug, {})
            releases.set_status(conn, "shop", made.version, "succeeded")
    first = heroku(api, "GET", "/apps", headers={"Range": "name ..; max=2"})
    assert first.status_code == 206 and [a["name"] for a in first.json()] == ["alpha", "beta"]
    assert first.headers["Next-Range"] == "name ]beta..; max=2"
    rest = heroku(api, "GET", "/apps", headers={"Range": first.headers["Next-Range"]})
    assert rest.status_code == 200 and [a["name"] for a in rest.json()] == ["gamma", "shop"]
    assert "Next-Range" not in rest.headers
    newest = heroku(api, "GET", "/apps/shop/releases", headers={"Range": "version ..; order=desc,max=1"})
    assert [(r["version"], r["current"]) for r in newest.json()] == [(3, True)]
    assert heroku(api, "GET", "/apps/shop/releases/2").json()["eligible_for_rollback"] is True


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", paging.Range("id")),
        ("version ..; max=15, order=desc", paging.Range("version", most=15, descending=True)),
        ("version ..; order=desc,max=1", paging.Range("version", most=1, descending=True)),
        ("id ..; max=1000;", paging.Range("id", most=1000)),
        ("name ]beta..; max=5000", paging.Range("name", "beta", True, most=paging.MOST)),
    ],
)
def test_range_headers_as_the_cli_sends_them(header: str, expected: paging.Range):
    assert paging.parse(header, "id") == expected


def test_a_range_that_is_not_one_is_refused():
    with pytest.raises(UserError):
        paging.parse("give me everything", "id")


def test_a_log_stream_needs_its_session_s_secret_and_no_token(api: Api):
    made = heroku(api, "POST", "/apps/shop/log-sessions", json={"lines": 5, "tail": False})
    assert made.status_code == 201
    url = httpx.URL(made.json()["logplex_url"])
    stream = api.client.get(url.path, headers={"Accept": "text/event-stream"})
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    guessed = api.client.get("/log-sessions/guessed", headers={"Accept": "text/event-stream"})
    assert guessed.status_code == 404


def test_an_attached_run_before_the_first_deploy_says_push_first(api: Api):
    refused = heroku(api, "POST", "/apps/shop/dynos", json={"command": "bash", "attach": True})
    assert refused.status_code == 404 and "push" in refused.json()["message"]
