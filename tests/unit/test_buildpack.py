"""The buildpack's rules, run as the bash they are (no Docker): which package manager a
source names, the errors heroku-buildpack-python gives (each with a first line that says
what to do, which the push ends with), and the dyno's WEB_CONCURRENCY."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from minidyno.settings import REPO_ROOT

LIB = REPO_ROOT / "buildpacks" / "python" / "lib"


def bash(script: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    prelude = "".join(
        f"source {LIB / name}.sh\n"
        for name in ("output", "checks", "package_manager", "python_version", "profile")
    )
    return subprocess.run(
        ["bash", "-c", f"set -eu -o pipefail\n{prelude}{script}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(cwd), **(env or {})},
    )


def app(tmp_path: Path, *files: str) -> Path:
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "manager"),
    [
        (["requirements.txt"], "pip"),
        (["Pipfile", "Pipfile.lock"], "pipenv"),
        (["pyproject.toml", "poetry.lock"], "poetry"),
        (["pyproject.toml", "uv.lock"], "uv"),
    ],
)
def test_each_package_manager_is_named_by_its_file(tmp_path: Path, files, manager):
    done = bash(f"package_manager::determine {app(tmp_path, *files)}", tmp_path)
    assert (done.returncode, done.stdout.strip()) == (0, manager)


@pytest.mark.parametrize(
    ("files", "first_line"),
    [
        (["requirements.txt", "uv.lock"], "Multiple Python package manager files were found (pip,uv)"),
        (["Pipfile"], "No 'Pipfile.lock' found: run 'pipenv lock'"),
        (["setup.py"], "Only a setup.py and no package manager file"),
        (["pyproject.toml"], "Couldn't find any supported Python package manager files"),
        ([".venv/pyvenv.cfg", "requirements.txt"], "Existing '.venv/' directory found: run 'git rm"),
    ],
)
def test_package_manager_errors_say_what_to_do(tmp_path: Path, files, first_line):
    done = bash(
        f"checks::no_committed_venv {app(tmp_path, *files)}; package_manager::determine {tmp_path}", tmp_path
    )
    assert done.returncode == 1
    assert first_line in done.stderr
    assert (tmp_path / "minidyno" / "error").read_text().startswith(first_line)


@pytest.mark.parametrize(
    ("origin", "outcome"),
    [
        ("default", "uv apps need a .python-version file"),
        ("cached", "uv apps need a .python-version file"),
        ("runtime.txt", "runtime.txt file isn't supported when using uv"),
    ],
)
def test_uv_needs_python_version(tmp_path: Path, origin: str, outcome: str):
    done = bash(
        "python_version::check_origin uv",
        tmp_path,
        {"PYTHON_VERSION_ORIGIN": origin, "PYTHON_VERSION_REQUESTED": "3.14"},
    )
    assert done.returncode == 1 and outcome in done.stderr


def test_runtime_txt_and_no_version_only_warn_for_pip(tmp_path: Path):
    deprecated = bash(
        "python_version::check_origin pip",
        tmp_path,
        {"PYTHON_VERSION_ORIGIN": "runtime.txt", "PYTHON_VERSION_REQUESTED": "3.13"},
    )
    assert deprecated.returncode == 0 and "The runtime.txt file is deprecated" in deprecated.stderr
    default = bash(
        "python_version::announce; python_version::check_origin pip",
        tmp_path,
        {"PYTHON_VERSION_ORIGIN": "default", "PYTHON_VERSION_REQUESTED": "3.14"},
    )
    assert "No Python version was specified. Using the buildpack default: Python 3.14" in default.stdout
    assert "Warning: No Python version was specified." in default.stderr


def _profile(tmp_path: Path, limit: str, shown: str, **env: str) -> str:
    """`shown` echoed by a dyno that sourced the profile a build writes, its cgroup's
    memory limit `limit`, with `env` besides."""
    (tmp_path / "memory.max").write_text(limit + "\n")
    assert bash(f"profile::write {tmp_path}", tmp_path).returncode == 0
    return subprocess.run(
        ["bash", "-c", f"source {tmp_path}/.profile.d/python.sh; echo {shown}"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "MINIDYNO_CGROUP_MEMORY_MAX": str(tmp_path / "memory.max"), **env},
    ).stdout.strip()


@pytest.mark.parametrize(
    ("limit", "concurrency"),
    [
        (str(512 * 2**20), "2"),  # eco, basic, standard-1x
        (str(1024 * 2**20), "4"),  # standard-2x
        (str(200 * 2**20), "1"),
        ("max", ""),  # no limit: left unset, as Heroku's script does
    ],
)
def test_web_concurrency_follows_the_dyno_memory(tmp_path: Path, limit: str, concurrency: str):
    shown = _profile(
        tmp_path, limit, '"$WEB_CONCURRENCY|$FORWARDED_ALLOW_IPS|$PYTHONUNBUFFERED"', DYNO="web.1"
    )
    assert shown == f"{concurrency}|*|true"


def test_web_concurrency_follows_the_quota_a_dyno_is_told(tmp_path: Path):
    """A dyno's cgroup allows twice its quota (R15 kills there), so it is sized by the quota."""
    shown = _profile(
        tmp_path, str(1024 * 2**20), "$WEB_CONCURRENCY $DYNO_RAM", MINIDYNO_MEMORY_QUOTA_MB="512"
    )
    assert shown.split() == ["2", "512"]


def test_a_config_var_web_concurrency_wins(tmp_path: Path):
    assert _profile(tmp_path, str(512 * 2**20), "$WEB_CONCURRENCY", WEB_CONCURRENCY="7") == "7"
