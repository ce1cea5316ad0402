"""The walking skeleton end to end: git push over smart HTTP, a buildpack build in a
container, a web dyno, and the router in front of it."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx

from tests.integration.platform_fixture import Server


def test_push_sample_serves_through_router_with_heroku_headers(server: Server, tmp_path: Path):
    server.cli("apps:create", "hello")
    src = server.app_source(tmp_path, "hello")

    push = server.push(src)

    assert "-----> Building on the minidyno-trixie stack" in push.stderr
    assert "remote: -----> Installing dependencies using 'pip install -r requirements.txt'" in push.stderr
    assert "Released v1" in push.stderr
    response = server.router_get("hello")
    assert response.status_code == 200
    assert response.text == "Hello from minidyno! This is web.1.\n"
    headers = server.router_get("hello", "/headers", headers={"X-Request-Id": "x" * 24}).json()
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Port"] == str(server.router_port)
    assert headers["X-Request-Id"] == "x" * 24
    assert re.fullmatch(r"\d{13}", headers["X-Request-Start"])
    assert headers["Via"] == "1.1 minidyno"
    generated = server.router_get("hello", "/headers", headers={"X-Request-Id": "short"}).json()
    assert re.fullmatch(r"[0-9a-f]{32}", generated["X-Request-Id"])


def test_code_change_redeploys_from_cache_without_a_gap(server: Server, tmp_path: Path):
    server.cli("apps:create", "changes")
    src = server.app_source(tmp_path, "changes")
    server.push(src)
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        """A new connection per request: on a reused keep-alive connection, a request
        can race nginx closing it on reload, which HTTP clients retry, not a gap."""
        while not stop.is_set():
            try:
                r = httpx.get(
                    f"http://127.0.0.1:{server.router_port}/",
                    headers={"Host": "changes.localhost", "Connection": "close"},
                    timeout=30,
                )
                statuses.append(r.status_code)
            except httpx.TransportError as exc:
                statuses.append(repr(exc))

    app_py = src / "app.py"
    app_py.write_text(app_py.read_text().replace("Hello from minidyno", "Changed"))
    server.commit(src, "Change the greeting")
    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        push = server.push(src)
    finally:
        stop.set()
        thread.join()

    assert "restored from the cache, nothing downloaded" in push.stderr
    assert "Released v2" in push.stderr
    assert server.router_get("changes").text == "Changed! This is web.1.\n"
    assert statuses and set(statuses) == {200}, f"non-200 during the redeploy: {set(statuses)}"


def test_broken_requirement_is_rejected_and_old_release_keeps_serving(server: Server, tmp_path: Path):
    server.cli("apps:create", "broken")
    src = server.app_source(tmp_path, "broken")
    server.push(src)
    (src / "requirements.txt").write_text("flask==3.1.*\nthis-package-does-not-exist-minidyno==9.9\n")
    server.commit(src, "Add a requirement that cannot resolve")

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "Unable to install dependencies using pip: check the package names" in push.stderr
    assert "pre-receive hook declined" in push.stderr
    assert server.router_get("broken").status_code == 200
    releases = server.cli("releases", "-a", "broken").stdout
    assert "v1" in releases and "v2" not in releases
    ls_remote = server.git("ls-remote", "minidyno", "main", cwd=src).stdout
    assert ls_remote.split()[0] != server.git("rev-parse", "HEAD", cwd=src).stdout.strip()


def test_push_without_the_token_is_refused(server: Server, tmp_path: Path):
    server.cli("apps:create", "guarded")
    src = server.app_source(tmp_path, "guarded")
    server.git("config", "--local", "--unset-all", f"credential.{server.api_url}.helper", cwd=src)

    no_token = server.push(src, check=False)
    wrong_url = f"http://git:wrong-token@127.0.0.1:{server.api_port}/git/guarded.git"
    wrong_token = server.git("push", wrong_url, "main", cwd=src, check=False)

    assert no_token.returncode != 0 and "could not read Username" in no_token.stderr
    assert wrong_token.returncode != 0 and "Authentication failed" in wrong_token.stderr
    assert server.router_get("guarded").status_code == 503


def test_other_branches_and_tags_are_accepted_without_a_build(server: Server, tmp_path: Path):
    """As on Heroku: only main (or master) deploys; a push of other refs is taken and
    says it skipped the build, and one that carries main too deploys main."""
    server.cli("apps:create", "branches")
    src = server.app_source(tmp_path, "branches")

    feature = server.push(src, "main:feature")
    assert "Pushed to non-main branch, skipping build." in feature.stderr
    assert server.router_get("branches").status_code == 503

    server.git("tag", "v1", cwd=src)
    both = server.git("push", "minidyno", "main", "main:other", "v1", cwd=src)
    assert "Skipped other: only main or master deploy" in both.stderr
    assert "Skipped tag v1" in both.stderr
    assert "Released v1" in both.stderr
    assert server.router_get("branches").status_code == 200


def test_other_language_is_named_and_refused(server: Server, tmp_path: Path):
    server.cli("apps:create", "nodeapp")
    src = server.app_source(
        tmp_path, "nodeapp", {"package.json": "{}\n", "index.js": "\n"}, from_sample=False
    )

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "Node.js (package.json)" in push.stderr
    assert "looked for requirements.txt" in push.stderr
    # Refused before any stack image is made: the Node.js app's stack (the default
    # Python's) may not be built yet, and making it would only delay the refusal.
    assert "Making the stack images" not in push.stderr


def test_unsupported_python_version_names_the_supported_ones(server: Server, tmp_path: Path):
    server.cli("apps:create", "oldpython")
    src = server.app_source(tmp_path, "oldpython", {".python-version": "3.8\n"})

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "Python 3.8 is not available" in push.stderr
    assert "3.13 (trixie)" in push.stderr


def test_app_without_web_process_builds_and_says_nothing_serves(server: Server, tmp_path: Path):
    server.cli("apps:create", "workeronly")
    procfile = "worker: python -c 'import time; time.sleep(600)'\n"
    src = server.app_source(tmp_path, "workeronly", {"Procfile": procfile})

    push = server.push(src)

    assert "nothing will serve" in push.stderr
    response = server.router_get("workeronly")
    assert response.status_code == 503
    assert "H14" in response.text


def test_a_commit_with_no_files_is_refused_with_one_line(server: Server, tmp_path: Path):
    server.cli("apps:create", "hollow")
    src = server.app_source(tmp_path, "hollow", from_sample=False)

    push = server.push(src, check=False)

    assert push.returncode != 0
    assert "the pushed commit has no files; commit your app, then push again" in push.stderr


def test_unknown_app_gets_a_readable_404(server: Server):
    response = server.router_get("nosuchapp")
    assert response.status_code == 404
    assert "No such app" in response.text


def test_clone_over_the_same_url(server: Server, tmp_path: Path):
    server.cli("apps:create", "cloneme")
    src = server.app_source(tmp_path, "cloneme")
    server.push(src)
    url = server.git("remote", "get-url", "minidyno", cwd=src).stdout.strip()
    clone = tmp_path / "clone"
    auth_url = url.replace("http://", f"http://git:{server.token}@")

    server.git("clone", "-q", auth_url, str(clone), cwd=tmp_path)

    assert (clone / "Procfile").read_text() == (src / "Procfile").read_text()


def test_web_dyno_is_unprivileged_and_isolated(server: Server, tmp_path: Path, docker_engine):
    server.cli("apps:create", "locked")
    server.push(server.app_source(tmp_path, "locked"))

    (container,) = docker_engine.containers.list(
        filters={"label": [f"minidyno.home={server.home.resolve()}", "minidyno.dyno=web.1"]}
    )
    config, host = container.attrs["Config"], container.attrs["HostConfig"]

    assert config["User"] == "dyno"
    assert config["Labels"]["minidyno.app"] == "locked"
    assert config["Labels"]["minidyno.process"] == "web"
    assert "PORT=5000" in config["Env"] and "DYNO=web.1" in config["Env"]
    assert host["CapDrop"] == ["ALL"] and not host["Privileged"]
    assert host["Memory"] > 0 and host["PidsLimit"] > 0
    assert host["NanoCpus"] == 10**9 and host["CpuShares"] == 1024
    assert all("docker.sock" not in m["Source"] for m in container.attrs["Mounts"])
    bindings = container.attrs["NetworkSettings"]["Ports"]["5000/tcp"]
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}
    assert not any(
        k.lower().endswith("_proxy") or k.startswith(("PIP_CERT", "SSL_CERT"))
        for k in (e.split("=")[0] for e in config["Env"])
    )


def test_destroy_removes_containers_images_and_repo(server: Server, tmp_path: Path, docker_engine):
    server.cli("apps:create", "doomed")
    server.push(server.app_source(tmp_path, "doomed"))
    refused = server.cli("apps:destroy", "doomed", check=False)
    assert refused.returncode != 0 and "--confirm doomed" in refused.stderr

    server.cli("apps:destroy", "doomed", "--confirm", "doomed")

    scope = {"label": [f"minidyno.home={server.home.resolve()}", "minidyno.app=doomed"]}
    assert docker_engine.containers.list(all=True, filters=scope, ignore_removed=True) == []
    assert docker_engine.images.list(filters=scope) == []
    assert docker_engine.volumes.list(filters=scope) == []
    assert not (server.home / "repos" / "doomed.git").exists()
    assert server.router_get("doomed").status_code == 404


def test_bad_app_names_and_duplicates_get_one_line_errors(server: Server):
    bad = server.cli("apps:create", "Bad_Name", check=False)
    assert bad.returncode != 0
    assert "invalid app name 'Bad_Name'" in bad.stderr
    server.cli("apps:create", "twice")
    again = server.cli("apps:create", "twice", check=False)
    assert "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    created = server.cli("apps:create").stdout
    assert re.search(r"Creating [a-z]+-[a-z]+-\d{4}\.\.\. done", created)


def test_unauthenticated_api_is_refused_but_health_answers(server: Server):
    assert httpx.get(f"{server.api_url}/health").status_code == 200
    refused = httpx.get(f"{server.api_url}/apps")
    assert refused.status_code == 401
    assert "token" in refused.json()["error"]
    assert oct((server.home / "token").stat().st_mode & 0o777) == "0o600"
