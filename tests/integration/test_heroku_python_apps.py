"""Apps written for Heroku today, pushed unchanged: Heroku's Django getting-started app
through the tutorial's own order (deploy, add Postgres, uncomment psycopg and the
release phase, push) in a browser that trusts minidyno's CA, and apps managed by uv,
Poetry and Pipenv. Every bad input gets its one line and the old release keeps serving."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.integration import browser
from tests.integration.platform_fixture import REPO, Server, dynos, wait_for

APPS = REPO / "tests" / "apps"


def pushed_app(server: Server, tmp_path: Path, name: str, folder: str) -> Path:
    """A git work tree of one of tests/apps, with its remote, pushed."""
    src = tmp_path / f"src-{name}"
    shutil.copytree(APPS / folder, src)
    server.cli("apps:create", name)
    server.git("init", "-q", "-b", "main", cwd=src)
    server.commit(src, "Initial commit")
    server.cli("git:remote", "-a", name, cwd=src)
    return src


def rejection(push) -> str:
    """The one line a rejected push ends with, before git's own."""
    lines = [
        ln.removeprefix("remote:").strip() for ln in push.stderr.splitlines() if ln.startswith("remote:")
    ]
    return next(ln for ln in reversed(lines) if ln.startswith("!") and "Push rejected" not in ln)


@pytest.mark.long
def test_the_django_tutorial_runs_unchanged_over_https(server: Server, tmp_path: Path):
    src = pushed_app(server, tmp_path, "getting-started", "django")
    first = server.push(src)
    assert "$ python manage.py collectstatic --noinput" in first.stderr
    assert "Using Python 3.13 specified in .python-version" in first.stderr

    with browser.chromium_page(server.ca_path, tmp_path / "browser-home") as page:
        browser.goto(page, f"http://getting-started.localhost:{server.router_port}/")
        expect(page).to_have_url(f"https://getting-started.localhost:{server.router_tls_port}/")
        expect(page.locator("#scheme")).to_have_text("Served over https")
        browser.shot(page, "heroku-apps", "1-django-over-https")

    # The tutorial: add Postgres while the deployed code has no driver yet...
    attached = server.cli("addons:create", "heroku-postgresql", "-a", "getting-started")
    assert "as DATABASE_URL" in attached.stdout
    assert "DATABASE_URL" in server.cli("config", "-a", "getting-started").stdout
    # ...then uncomment psycopg and the release phase, and push.
    shutil.copy(src / "requirements-with-postgres.txt", src / "requirements.txt")
    shutil.copy(src / "Procfile-with-release", src / "Procfile")
    server.commit(src, "Use Postgres")
    second = server.push(src)
    assert "Running release command: ./manage.py migrate --no-input" in second.stderr
    assert "Applying hello.0001_initial... OK" in second.stderr
    # The dynos of the releases before are retired in the background; opening the page
    # while their containers go would meet Chromium's ERR_NETWORK_CHANGED.
    wait_for(lambda: [d["release"] for d in dynos(server, "getting-started")] == [3])

    with browser.chromium_page(server.ca_path, tmp_path / "browser-home") as page:
        browser.goto(page, f"http://getting-started.localhost:{server.router_port}/db/")
        expect(page).to_have_url(re.compile(rf":{server.router_tls_port}/db/$"))
        expect(page.locator("#tls")).to_have_text("Database connection encrypted: True")
        expect(page.locator("#count")).to_have_text("1 greetings")
        browser.goto(page, page.url)  # a reload, riding out a network change as goto does
        expect(page.locator("#count")).to_have_text("2 greetings")
        browser.shot(page, "heroku-apps", "2-django-db-over-tls")

    # A collectstatic that fails fails the push, and the release before keeps serving.
    settings = src / "gettingstarted" / "settings.py"
    settings.write_text(
        settings.read_text().replace('STATIC_ROOT = BASE_DIR / "staticfiles"', "STATIC_ROOT = None")
    )
    server.commit(src, "Break STATIC_ROOT")
    broken = server.push(src, check=False)
    assert broken.returncode != 0
    assert "Unable to generate Django static files" in rejection(broken)
    assert "DISABLE_COLLECTSTATIC=1" in rejection(broken)
    assert "3 greetings" in server.router_https("getting-started", "/db/").text


@pytest.mark.parametrize(
    ("folder", "command", "origin"),
    [
        ("uv", "uv sync --locked --no-default-groups", ".python-version"),
        ("poetry", "poetry sync --only main", ".python-version"),
        ("pipenv", "pipenv install --deploy", "Pipfile.lock"),
    ],
)
@pytest.mark.long
def test_uv_poetry_and_pipenv_apps(server: Server, tmp_path: Path, folder: str, command: str, origin: str):
    src = pushed_app(server, tmp_path, f"{folder}-app", folder)
    pushed = server.push(src).stderr
    assert f"Installing dependencies using '{command}'" in pushed
    assert f"specified in {origin}" in pushed
    assert f"{folder} app via https" in server.router_https(f"{folder}-app", "/").text
    assert server.router_https(f"{folder}-app", "/dev").text == "pytest installed: False\n"

    (src / "app.py").write_text((src / "app.py").read_text() + "\n# a code-only change\n")
    server.commit(src, "Code only")
    again = server.push(src).stderr
    assert "restored from the cache, nothing downloaded" in again


BAD = [
    ({"uv.lock": "version = 1\n"}, (), "Multiple Python package manager files were found"),
    ({"Pipfile": "[packages]\n"}, ("requirements.txt",), "No 'Pipfile.lock' found"),
    (
        {"setup.py": "from setuptools import setup\nsetup()\n"},
        ("requirements.txt",),
        "Only a setup.py and no package manager file",
    ),
    (
        {"pyproject.toml": "[project]\nname = 'x'\n"},
        ("requirements.txt",),
        "Couldn't find any supported Python package manager files",
    ),
    ({".venv/pyvenv.cfg": "home = /usr/bin\n"}, (), "Existing '.venv/' directory found"),
    ({"python-version": "3.13\n"}, (".python-version",), "spelled incorrectly"),
    ({".python-version": "3.9\n"}, (), "Python 3.9 is not available; the supported versions"),
    (
        {"uv.lock": "version = 1\n", "pyproject.toml": "[project]\nname = 'x'\n"},
        ("requirements.txt", ".python-version"),
        "uv apps need a .python-version file",
    ),
]


def test_each_package_manager_mistake_gets_one_line_and_the_old_release_serves(
    server: Server, tmp_path: Path
):
    server.cli("apps:create", "careful")
    src = server.app_source(tmp_path, "careful")
    server.push(src)
    good = server.router_get("careful").text

    for added, removed, message in BAD:
        for name in removed:
            (src / name).unlink()
        for name, text in added.items():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_text(text)
        server.commit(src, f"Bad: {message}")
        push = server.push(src, check=False)
        assert push.returncode != 0, message
        assert message in rejection(push), push.stderr
        assert server.router_get("careful").text == good
        server.git("reset", "-q", "--hard", "HEAD~1", cwd=src)
        server.git("clean", "-qfdx", cwd=src)
