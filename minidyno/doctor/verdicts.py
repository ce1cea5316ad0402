"""Doctor's verdicts on what its dyno did (dyno_watch's facts): one finding per check,
and a cause named once. A dyno that stopped because of what another check explains
(an OOM kill, a crash on `postgres://`, a refused non-TLS connection) leaves the checks
it cut short skipped, pointing there, rather than failed too."""

from __future__ import annotations

from minidyno.doctor.dyno_watch import Watched
from minidyno.doctor.report import FAIL, PASS, SKIP, WARN, Report
from minidyno.settings import Settings

#: What an app prints when the throwaway database shows a cause the source hinted at.
CAUSES = {
    "database-url": ("Can't load plugin: sqlalchemy.dialects:postgres",),
    "database-tls": ("no encryption", "SSL off"),
}
#: Files an app writes that are SQLite databases (or their journals).
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db-journal", ".db-wal", ".sqlite3-journal")
#: Where writes are expected or are not files: scratch space, and the kernel's.
_SCRATCH = ("/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/run")
#: What the engine itself puts in a dyno's filesystem (its init, for `init=True`).
_ENGINE_FILES = ("/usr/sbin/docker-init",)


def skip(report: Report, checks: tuple[str, ...], why: str) -> None:
    """Each check said to be not run, and why, so no line is missing from a report."""
    for check in checks:
        report.add(check, SKIP, why)


def causes(output: list[str], report: Report) -> None:
    """What the app printed that names a cause the throwaway database exposes."""
    for check, signs in CAUSES.items():
        said = next((line for line in output if any(sign in line for sign in signs)), None)
        if said:
            report.add(check, FAIL, f"the app said: {said.strip()[:300]}")


def judge(seen: Watched, process: str, settings: Settings, report: Report) -> None:
    """The dyno's checks; the waits named are this server's (Heroku's by default)."""
    cause = _crash_cause(seen)
    if process != "web":
        skip(report, ("bind", "response", "cookies"), "not checked: no web process")
    else:
        _bind(seen, settings.boot_timeout, cause, report)
        _response(seen, settings.router_timeout, cause, report)
    _filesystem(seen, report)
    _memory(seen, settings.memory_quota_mb, report)
    if seen.stopped_after is None:
        report.add("sigterm", SKIP, f"not checked: it had exited{f' (see {cause})' if cause else ''}")
    elif seen.killed:
        report.add(
            "sigterm",
            FAIL,
            f"still running {settings.stop_timeout:.0f} s after SIGTERM, so killed with SIGKILL",
        )
    else:
        report.add("sigterm", PASS, f"exited {seen.stopped_after:.1f} s after SIGTERM")


def _crash_cause(seen: Watched) -> str | None:
    """The check that explains a dyno that stopped by itself, if one does."""
    if seen.oom_killed:
        return "memory"
    for check, signs in CAUSES.items():
        if any(sign in line for line in seen.output for sign in signs):
            return check
    return None


def _bind(seen: Watched, timeout: float, cause: str | None, report: Report) -> None:
    port = seen.port
    if seen.bound_after is not None:
        report.add("bind", PASS, f"listened on 0.0.0.0:{port} ($PORT) {seen.bound_after:.1f} s after start")
    elif cause:
        report.add("bind", SKIP, f"not checked: it stopped at boot (see {cause})")
    elif seen.exited is not None:
        last = seen.output[-1].strip() if seen.output else "(no output)"
        report.add(
            "bind",
            FAIL,
            f"exited with status {seen.exited} before listening on $PORT: {last[:200]}",
            fix="read its output above; on Heroku the dyno crashes (H10) and restarts",
        )
    elif local := [a for a in seen.listening if a.endswith(f":{port}")]:
        report.add(
            "bind",
            FAIL,
            f"listened on {', '.join(local)} only, which the router cannot reach",
            fix="listen on 0.0.0.0 (every interface), not localhost: e.g. --bind 0.0.0.0:$PORT",
        )
    elif seen.listening:
        report.add(
            "bind",
            FAIL,
            f"listened on {', '.join(seen.listening)}, not on $PORT ({port} this time)",
            fix="read the port from $PORT, which Heroku picks at every start, instead of a fixed one",
        )
    else:
        report.add("bind", FAIL, f"listened on nothing within {timeout:.0f} s")


def _response(seen: Watched, timeout: float, cause: str | None, report: Report) -> None:
    """`cause`: what made the dyno stop, if another check names it (a server that
    listens before it loads the app, as gunicorn's master does, still listened)."""
    if seen.bound_after is None:
        skip(report, ("response", "cookies"), "not checked: nothing listens on $PORT")
        return
    if seen.request_error and cause:
        report.add("response", SKIP, f"not checked: the app stopped (see {cause})")
    elif seen.request_error == "timeout":
        report.add("response", FAIL, f"/ sent nothing within {timeout:.0f} s")
    elif seen.request_error:
        report.add("response", FAIL, f"/ gave no response: {seen.request_error}")
    else:
        report.add("response", PASS, f"/ answered {seen.status} in {seen.answered_after:.2f} s")
    if seen.status is None:
        report.add("cookies", SKIP, "not checked: no response")
    elif (largest := max(seen.cookie_sizes, default=0)) > 8192:
        report.add("cookies", FAIL, f"/ sets a cookie of {largest} bytes, past the router's 8192")
    elif largest > 4096:
        report.add("cookies", WARN, f"/ sets a cookie of {largest} bytes, which browsers drop past 4096")
    else:
        report.add("cookies", PASS, f"{len(seen.cookie_sizes)} cookies set, none too large")


def _filesystem(seen: Watched, report: Report) -> None:
    """Files written outside /tmp: an SQLite database fails, anything else warns."""
    written = seen.written
    leaves = (p for p in written if not any(other.startswith(f"{p}/") for other in written))
    files = sorted(
        path
        for path in leaves
        if path not in _SCRATCH
        and not path.startswith(tuple(f"{s}/" for s in _SCRATCH))
        and path not in _ENGINE_FILES
        and "__pycache__" not in path
        and not path.endswith(".pyc")
    )
    databases = [p for p in files if p.endswith(_SQLITE_SUFFIXES)]
    if databases:
        report.add(
            "filesystem",
            FAIL,
            f"wrote the SQLite database {', '.join(databases[:3])}, lost at every restart",
            fix="use Heroku Postgres, read from DATABASE_URL (https://devcenter.heroku.com/articles/sqlite3)",
        )
    elif files:
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        report.add("filesystem", WARN, f"wrote {shown}, lost at the next restart")
    else:
        report.add("filesystem", PASS, "wrote nothing outside /tmp")


def _memory(seen: Watched, quota: int, report: Report) -> None:
    if seen.oom_killed:
        report.add("memory", FAIL, f"killed past {2 * quota} MB, twice the quota (R15)")
    elif seen.memory_mb > quota:
        report.add("memory", FAIL, f"{seen.memory_mb:.0f} MB at its peak, past the {quota} MB quota (R14)")
    else:
        report.add("memory", PASS, f"{seen.memory_mb:.0f} MB at its peak, of a {quota} MB quota")
