"""`minidyno doctor`'s judgement without Docker: how findings merge into one line per
check, what the source alone shows (the buildpack's rules run by its own bin/check on
this host), the /proc addresses a dyno listens on, and what a watched dyno's facts
mean on Heroku. The dyno's facts are written by hand, as dyno_watch would gather them."""

from __future__ import annotations

from pathlib import Path

import pytest

from minidyno.doctor import source_checks
from minidyno.doctor.doctor import _speaks_postgres
from minidyno.doctor.dyno_watch import Watched, _address
from minidyno.doctor.report import FAIL, PASS, SKIP, WARN, Report
from minidyno.doctor.verdicts import _filesystem, _memory, _response, causes, judge
from minidyno.settings import REPO_ROOT, Settings
from tests.unit.source_fixture import source_with

PORT = 41234
CLEAN = {
    "requirements.txt": "flask\ngunicorn\n",
    ".python-version": "3.13\n",
    "Procfile": "web: gunicorn app:app --bind 0.0.0.0:$PORT\n",
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
}
SQLALCHEMY_APP = (
    "import os\n"
    "from sqlalchemy import create_engine\n"
    "\n"
    'url = os.environ["DATABASE_URL"]\n'
    "{mend}"
    "engine = create_engine(url)\n"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, buildpacks_dir=REPO_ROOT / "buildpacks")


def checked(settings: Settings, files: dict[str, str]) -> Report:
    report = Report()
    source_checks.check(settings, source_with(files), report)
    return report


def flagged(report: Report) -> dict[str, str]:
    return {f.check: f.status for f in report.ordered() if f.status in (WARN, FAIL)}


def judged(settings: Settings, process: str = "web", **facts) -> Report:
    report = Report()
    judge(Watched(PORT, **facts), process, settings, report)
    return report


# Report: one line per check, the worst status winning


def test_a_worse_finding_wins_and_what_each_saw_is_kept():
    report = Report()
    report.add("filesystem", WARN, "wrote /app/uploads/a.png")
    report.add("filesystem", FAIL, "wrote the SQLite database /app/db.sqlite3", fix="use Postgres")
    report.add("filesystem", WARN, "wrote /app/log.txt")
    (finding,) = report.ordered()
    assert finding.status == FAIL
    assert finding.seen == (
        "wrote /app/uploads/a.png; wrote the SQLite database /app/db.sqlite3; wrote /app/log.txt"
    )
    assert finding.fix == "use Postgres", "the worse finding's fix is kept"


def test_a_pass_is_no_longer_said_once_something_worse_is_seen():
    report = Report()
    report.add("filesystem", PASS, "no SQLite database configured")
    report.add("filesystem", FAIL, "wrote the SQLite database /app/db.sqlite3")
    assert (report.status_of("filesystem"), report.findings["filesystem"].seen) == (
        FAIL,
        "wrote the SQLite database /app/db.sqlite3",
    )


def test_a_skip_never_overrides_but_is_overridden():
    report = Report()
    report.add("bind", FAIL, "listened on nothing within 60 s")
    report.add("bind", SKIP, "not checked: the build failed")
    report.add("response", SKIP, "not checked: nothing listens on $PORT")
    report.add("response", PASS, "/ answered 200 in 0.01 s")
    assert report.findings["bind"].seen == "listened on nothing within 60 s"
    assert report.status_of("bind") == FAIL
    assert report.findings["response"].seen == "/ answered 200 in 0.01 s"
    assert report.status_of("response") == PASS
    assert report.status_of("memory") is None


def test_failed_only_on_a_fail():
    report = Report()
    report.add("procfile", PASS, "1 process types")
    report.add("env-file", WARN, ".env holds SECRET_KEY")
    report.add("bind", SKIP, "not checked")
    assert not report.failed
    report.add("memory", FAIL, "600 MB at its peak")
    assert report.failed


def test_findings_come_in_report_order_not_the_order_added():
    report = Report()
    report.add("sigterm", PASS, "exited")
    report.add("procfile", PASS, "1 process types")
    report.add("bind", PASS, "listened")
    assert [f["check"] for f in report.as_json()] == ["procfile", "bind", "sigterm"]


def test_only_a_warning_or_a_failure_says_what_heroku_does_the_fix_and_the_link():
    report = Report()
    report.add("procfile", PASS, "1 process types")
    report.add("env-file", WARN, ".env holds SECRET_KEY")
    report.add("bind", FAIL, "listened on 127.0.0.1:41234 only", fix="listen on 0.0.0.0")
    report.add("memory", SKIP, "not checked: there is no build")
    lines = {entry["check"]: entry["line"] for entry in report.as_json()}
    for quiet in ("procfile", "memory"):
        assert "On Heroku:" not in lines[quiet] and "Fix:" not in lines[quiet]
        assert "https://" not in lines[quiet]
    assert lines["procfile"].split() == ["pass", "procfile", "1", "process", "types"]
    assert "On Heroku: its secrets ship" in lines["env-file"]
    assert "Fix: git rm --cached .env" in lines["env-file"], "the check's own fix, when none is given"
    assert lines["env-file"].startswith("warn ")
    assert lines["bind"] == (
        "fail  bind             listened on 127.0.0.1:41234 only. On Heroku: R10 Boot timeout: a web"
        " dyno that does not bind 0.0.0.0:$PORT within 60 s is killed. Fix: listen on 0.0.0.0."
        " https://devcenter.heroku.com/articles/error-codes#r10-boot-timeout"
    )


def test_what_was_seen_ending_a_sentence_is_not_followed_by_a_second_period():
    report = Report()
    report.add("venv", FAIL, "Existing '.venv/' directory found: commit and push again.")
    (entry,) = report.as_json()
    assert "push again. On Heroku:" in entry["line"]


# The source alone


def test_a_clean_flask_app_is_flagged_for_nothing(settings: Settings):
    report = Report()
    assert source_checks.check(settings, source_with(CLEAN), report) is True
    assert flagged(report) == {}
    assert report.status_of("python-version") == PASS
    assert report.status_of("procfile") == PASS


def test_two_package_managers_fail_before_any_build(settings: Settings):
    report = Report()
    assert source_checks.check(settings, source_with({**CLEAN, "Pipfile.lock": "{}"}), report) is False
    assert flagged(report) == {"package-manager": FAIL}
    assert "Multiple Python package manager files" in report.findings["package-manager"].seen


def test_a_committed_virtualenv_fails(settings: Settings):
    report = Report()
    source = source_with({**CLEAN, ".venv/pyvenv.cfg": "home = /usr/bin\n"})
    assert source_checks.check(settings, source, report) is False
    assert flagged(report) == {"venv": FAIL}
    assert "Existing '.venv/' directory found" in report.findings["venv"].seen


def test_no_python_version_warns_in_herokus_words(settings: Settings):
    files = {name: text for name, text in CLEAN.items() if name != ".python-version"}
    report = Report()
    assert source_checks.check(settings, source_with(files), report) is True, "a warning only"
    assert flagged(report) == {"python-version": WARN}
    assert "No Python version was specified" in report.findings["python-version"].seen


def test_a_committed_env_file_names_its_secrets_only(settings: Settings):
    report = checked(settings, {**CLEAN, ".env": "SECRET_KEY=hunter2\nDEBUG=1\n"})
    assert flagged(report) == {"env-file": WARN}
    seen = report.findings["env-file"].seen
    assert seen == ".env holds SECRET_KEY"
    assert "DEBUG" not in seen


def test_a_url_with_a_password_is_a_secret_whatever_its_name(settings: Settings):
    report = checked(settings, {**CLEAN, ".env": "DATABASE_URL=postgres://me:pw@localhost/db\n"})
    assert report.findings["env-file"].seen == ".env holds DATABASE_URL"


def test_an_env_file_without_secrets_and_an_example_pass(settings: Settings):
    harmless = checked(settings, {**CLEAN, ".env": "DEBUG=1\n"})
    assert harmless.status_of("env-file") == PASS
    example = checked(settings, {**CLEAN, ".env.example": "SECRET_KEY=change-me\n"})
    assert (example.status_of("env-file"), example.findings["env-file"].seen) == (PASS, "no .env committed")


def test_sqlite_as_djangos_database_fails(settings: Settings):
    settings_py = (
        "DATABASES = {\n"
        '    "default": {\n'
        '        "ENGINE": "django.db.backends.sqlite3",\n'
        '        "NAME": BASE_DIR / "db.sqlite3",\n'
        "    }\n"
        "}\n"
    )
    report = checked(settings, {**CLEAN, "mysite/settings.py": settings_py})
    assert flagged(report) == {"filesystem": FAIL}
    assert "mysite/settings.py line 3" in report.findings["filesystem"].seen


def test_sqlite_as_the_local_fallback_of_database_url_passes(settings: Settings):
    settings_py = (
        "import os\n\n"
        "import dj_database_url\n\n"
        'DATABASES = {"default": dj_database_url.parse('
        'os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"))}\n'
    )
    report = checked(settings, {**CLEAN, "mysite/settings.py": settings_py})
    assert report.status_of("filesystem") == PASS


def test_sqlalchemy_given_database_url_as_it_is_warns(settings: Settings):
    report = checked(settings, {**CLEAN, "db.py": SQLALCHEMY_APP.format(mend="")})
    assert flagged(report) == {"database-url": WARN}
    assert "SQLAlchemy (db.py) reads DATABASE_URL (db.py line 4)" in report.findings["database-url"].seen


def test_sqlalchemy_given_a_mended_url_passes(settings: Settings):
    mend = 'url = url.replace("postgres://", "postgresql://", 1)\n'
    report = checked(settings, {**CLEAN, "db.py": SQLALCHEMY_APP.format(mend=mend)})
    assert report.status_of("database-url") == PASS


def test_tls_turned_off_warns(settings: Settings):
    code = 'import psycopg2\n\nconn = psycopg2.connect(os.environ["DATABASE_URL"], sslmode="disable")\n'
    report = checked(settings, {**CLEAN, "db.py": code})
    assert flagged(report) == {"database-tls": WARN}
    assert "db.py line 3" in report.findings["database-tls"].seen


def test_tests_are_not_read_as_app_code(settings: Settings):
    test_code = 'import sqlite3\n\nconn = sqlite3.connect("test.db")\nDSN = "sslmode=disable"\n'
    report = checked(settings, {**CLEAN, "tests/test_db.py": test_code, "conftest.py": test_code})
    assert flagged(report) == {}


def test_heroku_yml_skips_the_procfile_and_the_buildpacks_rules(settings: Settings):
    files = {**CLEAN, "Pipfile.lock": "{}", ".venv/pyvenv.cfg": "", "heroku.yml": "build:\n"}
    report = Report()
    assert source_checks.check(settings, source_with(files), report) is True
    for rule in ("procfile", "package-manager", "venv", "python-version"):
        assert report.status_of(rule) == SKIP, rule
    assert "heroku.yml" in report.findings["venv"].seen


# Where a dyno listens, from /proc/<pid>/net/tcp and tcp6


@pytest.mark.parametrize(
    ("hex_address", "address"),
    [
        ("0100007F:1F90", "127.0.0.1:8080"),
        ("00000000:0050", "0.0.0.0:80"),
        ("00000000000000000000000000000000:A1B2", "[::]:41394"),
        ("00000000000000000000000001000000:1F90", "[::1]:8080"),
    ],
)
def test_proc_addresses_read_as_written(hex_address: str, address: str):
    assert _address(hex_address) == address


# The dyno's facts, judged


def test_listening_on_port_on_every_interface_passes(settings: Settings):
    report = judged(settings, listening=[f"0.0.0.0:{PORT}"], bound_after=1.5, status=200, answered_after=0.1)
    assert report.status_of("bind") == PASS
    assert report.status_of("response") == PASS
    assert report.status_of("cookies") == PASS


def test_listening_on_localhost_only_fails_with_its_own_fix(settings: Settings):
    report = judged(settings, listening=[f"127.0.0.1:{PORT}"])
    bind = report.findings["bind"]
    assert bind.status == FAIL
    assert bind.seen == f"listened on 127.0.0.1:{PORT} only, which the router cannot reach"
    assert "not localhost" in bind.fix
    assert report.status_of("response") == SKIP and report.status_of("cookies") == SKIP


def test_listening_on_a_fixed_port_fails(settings: Settings):
    report = judged(settings, listening=["0.0.0.0:5000"])
    bind = report.findings["bind"]
    assert (bind.status, bind.seen) == (FAIL, f"listened on 0.0.0.0:5000, not on $PORT ({PORT} this time)")
    assert "instead of a fixed one" in bind.fix


def test_listening_on_nothing_fails(settings: Settings):
    report = judged(settings)
    assert report.findings["bind"].seen == "listened on nothing within 60 s"


def test_exiting_before_binding_fails_with_its_last_line(settings: Settings):
    report = judged(settings, exited=1, output=["Traceback", "ModuleNotFoundError: No module named 'app'"])
    bind = report.findings["bind"]
    assert bind.status == FAIL
    assert bind.seen == (
        "exited with status 1 before listening on $PORT: ModuleNotFoundError: No module named 'app'"
    )
    assert report.findings["sigterm"].seen == "not checked: it had exited"


def test_a_crash_another_check_explains_skips_bind(settings: Settings):
    said = "sqlalchemy.exc.NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres"
    report = judged(settings, exited=1, output=[said])
    assert report.status_of("bind") == SKIP
    assert report.findings["bind"].seen == "not checked: it stopped at boot (see database-url)"
    assert report.findings["sigterm"].seen == "not checked: it had exited (see database-url)"
    causes([said], report)
    assert report.status_of("database-url") == FAIL
    assert report.findings["database-url"].seen == f"the app said: {said}"


def test_a_worker_is_not_asked_to_bind(settings: Settings):
    report = judged(settings, process="worker", stopped_after=0.2)
    for check in ("bind", "response", "cookies"):
        assert report.status_of(check) == SKIP, check
    assert report.status_of("sigterm") == PASS


def test_no_response_in_time_fails():
    report = Report()
    _response(Watched(PORT, bound_after=1.0, request_error="timeout"), 30, None, report)
    assert (report.status_of("response"), report.findings["response"].seen) == (
        FAIL,
        "/ sent nothing within 30 s",
    )
    assert report.status_of("cookies") == SKIP


@pytest.mark.parametrize(
    ("sizes", "status"),
    [([100, 8193], FAIL), ([4097], WARN), ([8192], WARN), ([4096, 10], PASS), ([], PASS)],
)
def test_cookie_sizes_against_the_router_and_the_browsers(sizes: list[int], status: str):
    report = Report()
    _response(
        Watched(PORT, bound_after=1.0, status=200, answered_after=0.1, cookie_sizes=sizes), 30, None, report
    )
    assert report.status_of("cookies") == status


def _filesystem_of(*written: str) -> Report:
    report = Report()
    _filesystem(Watched(PORT, written=list(written)), report)
    return report


@pytest.mark.parametrize(
    "written",
    [
        ["/app", "/app/__pycache__", "/app/__pycache__/app.cpython-313.pyc"],
        ["/app/models.pyc"],
        ["/tmp", "/tmp/upload-1", "/var/tmp", "/var/tmp/x"],
        ["/tmp"],
        ["/usr", "/usr/sbin", "/usr/sbin/docker-init"],
    ],
)
def test_scratch_bytecode_and_the_engines_files_are_not_writes(written: list[str]):
    report = _filesystem_of(*written)
    assert (report.status_of("filesystem"), report.findings["filesystem"].seen) == (
        PASS,
        "wrote nothing outside /tmp",
    )


def test_a_written_sqlite_database_fails_named_without_its_folders():
    report = _filesystem_of("/app", "/app/instance", "/app/instance/app.db", "/app/notes.txt")
    finding = report.findings["filesystem"]
    assert finding.status == FAIL
    assert finding.seen == "wrote the SQLite database /app/instance/app.db, lost at every restart"
    assert "DATABASE_URL" in finding.fix


def test_another_written_file_warns_named_without_its_folders():
    report = _filesystem_of("/app", "/app/uploads", "/app/uploads/a.png")
    assert (report.status_of("filesystem"), report.findings["filesystem"].seen) == (
        WARN,
        "wrote /app/uploads/a.png, lost at the next restart",
    )


def test_many_written_files_are_counted_past_five():
    report = _filesystem_of(*(f"/app/f{n}" for n in range(7)))
    assert report.findings["filesystem"].seen.endswith("/app/f4 and 2 more, lost at the next restart")


@pytest.mark.parametrize(("peak", "status"), [(511.0, PASS), (512.0, PASS), (513.0, FAIL)])
def test_memory_past_the_quota_fails(peak: float, status: str):
    report = Report()
    _memory(Watched(PORT, memory_mb=peak), 512, report)
    assert report.status_of("memory") == status


def test_killed_for_memory_is_r15_and_explains_the_crash(settings: Settings):
    report = judged(settings, exited=137, oom_killed=True, memory_mb=1020.0)
    assert (report.status_of("memory"), report.findings["memory"].seen) == (
        FAIL,
        "killed past 1024 MB, twice the quota (R15)",
    )
    assert report.findings["bind"].seen == "not checked: it stopped at boot (see memory)"


def test_sigterm_ignored_until_sigkill_fails(settings: Settings):
    killed = judged(settings, stopped_after=30.0, killed=True)
    assert (killed.status_of("sigterm"), killed.findings["sigterm"].seen) == (
        FAIL,
        "still running 30 s after SIGTERM, so killed with SIGKILL",
    )
    stopped = judged(settings, stopped_after=0.4)
    assert (stopped.status_of("sigterm"), stopped.findings["sigterm"].seen) == (
        PASS,
        "exited 0.4 s after SIGTERM",
    )


def test_a_request_lost_to_a_crash_another_check_explains_is_not_a_response_failure(
    settings: Settings,
) -> None:
    """gunicorn's master listens before its worker imports the app: the crash on
    postgres:// is database-url's, not the response's."""
    crash = ["sqlalchemy.exc.NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres"]
    report = judged(settings, bound_after=0.5, request_error="Server disconnected", exited=1, output=crash)
    causes(crash, report)
    assert report.status_of("response") == SKIP
    assert report.status_of("database-url") == FAIL


def test_a_database_is_started_only_for_an_app_that_can_speak_to_one() -> None:
    assert not _speaks_postgres(source_with({"requirements.txt": "flask\ngunicorn\n"}))
    assert _speaks_postgres(source_with({"requirements.txt": "flask\npsycopg2-binary==2.9.*\n"}))
    assert _speaks_postgres(source_with({"uv.lock": '[[package]]\nname = "asyncpg"\n'}))
    assert _speaks_postgres(source_with({"heroku.yml": "build:\n  docker:\n    web: Dockerfile\n"}))
