"""app.json at the first deploy: env values, required vars and generated secrets, the
formation, add-ons provisioned before the release phase, and the postdeploy script."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.integration.platform_fixture import ps, wait_for

MANIFEST = {
    "name": "Sample",
    "env": {
        "GREETING": {"description": "What the page says", "value": "From app.json"},
        "SECRET_KEY": {"generator": "secret"},
        "NEEDED": {"description": "Must be set by hand", "required": True},
    },
    "formation": {"web": {"quantity": 1}, "worker": {"quantity": 1}},
    "addons": ["heroku-postgresql:hobby-dev"],
    "scripts": {"postdeploy": "echo postdeploy ran on $DYNO with ${DATABASE_URL%%://*}"},
    "unheard-of": True,
}

PROCFILE = (
    "web: gunicorn app:app --bind 0.0.0.0:$PORT\n"
    "worker: python -c 'import time; time.sleep(3600)'\n"
    "release: python -c \"import os; print('release sees', os.environ['DATABASE_URL'][:11])\"\n"
)


def test_app_json_sets_up_the_first_deploy(server, tmp_path: Path):
    server.cli("apps:create", "manifested")
    src = server.app_source(tmp_path, "manifested", {"app.json": json.dumps(MANIFEST), "Procfile": PROCFILE})

    refused = server.push(src, check=False)
    assert refused.returncode != 0
    assert "app.json requires NEEDED: set NEEDED=… with `minidyno config:set`" in refused.stderr

    server.cli("config:set", "NEEDED=yes", "-a", "manifested")
    push = server.push(src)

    assert "Warning: app.json: unknown key 'unheard-of' ignored" in push.stderr
    assert "release sees postgres://" in push.stderr
    assert "postdeploy ran on run.1 with postgres" in push.stderr
    assert server.router_get("manifested").text == "From app.json! This is web.1.\n"
    assert re.fullmatch(r"[0-9a-f]{64}\n", server.cli("config:get", "SECRET_KEY", "-a", "manifested").stdout)
    wait_for(lambda: ps(server, "manifested").get("worker.1", {}).get("state") == "up", 30)
    assert "DATABASE_URL" in server.cli("addons", "-a", "manifested").stdout


def test_malformed_app_json_rejects_the_push_with_one_line(server, tmp_path: Path):
    server.cli("apps:create", "badmanifest")
    src = server.app_source(tmp_path, "badmanifest", {"app.json": '{"formation": {"web": {"quantity": -1}}}'})
    push = server.push(src, check=False)
    assert push.returncode != 0
    assert "app.json: formation.web.quantity: Input should be greater than or equal to 0" in push.stderr

    (src / "app.json").write_text('{"addons": ["papertrail"]}')
    server.commit(src, "An add-on minidyno does not have")
    push = server.push(src, check=False)
    assert push.returncode != 0
    assert "unknown add-on 'papertrail': the add-ons here are postgres" in push.stderr
    assert "Building on" not in push.stderr, "the add-on should be refused before the build"
