"""What `minidyno doctor` found: one finding per check, each with what Heroku would do
and the fix, in the order a push meets them.

A check can be fed twice (the source read before the build, then the dyno watched
after it): its findings merge into one line, the worst status winning, so one cause
is named once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASS, WARN, FAIL, SKIP = "pass", "warn", "fail", "skip"
_RANK = {SKIP: 0, PASS: 1, WARN: 2, FAIL: 3}
_ERRORS = "https://devcenter.heroku.com/articles/error-codes"


@dataclass(frozen=True)
class Check:
    title: str
    #: What Heroku does to an app that breaks it, with its error code.
    heroku: str
    fix: str
    link: str


#: Every check, in report order: the source's, then the build's, then the dyno's.
CHECKS: dict[str, Check] = {
    "procfile": Check(
        "Procfile",
        "the push is rejected, or the process type never starts",
        "correct the Procfile lines named (minidyno procfile:check shows them)",
        "https://devcenter.heroku.com/articles/procfile",
    ),
    "package-manager": Check(
        "Package manager",
        "the build fails before installing anything",
        "keep exactly one of requirements.txt, Pipfile.lock, poetry.lock or uv.lock",
        "https://devcenter.heroku.com/articles/python-support#supported-package-managers",
    ),
    "venv": Check(
        "Committed virtualenv",
        "the build fails",
        "git rm -r --cached .venv, add it to .gitignore",
        "https://devcenter.heroku.com/articles/python-support",
    ),
    "python-version": Check(
        "Python version",
        "the build fails on an invalid version, and uses its default (which changes over time) on none",
        "write the major version (e.g. 3.13) in .python-version",
        "https://devcenter.heroku.com/articles/python-support#specifying-a-python-version",
    ),
    "env-file": Check(
        "Committed .env",
        "its secrets ship in every clone of the repository and every slug; dynos get config vars",
        "git rm --cached .env, add it to .gitignore, and set each value with config:set",
        "https://devcenter.heroku.com/articles/heroku-local#set-up-your-local-environment-variables",
    ),
    "slug-size": Check(
        "Slug size",
        "a slug over 500 MB (compressed) fails the build; over 300 MB, a warning that it may boot slower",
        "list large files not needed at run time in .slugignore, and keep data in object storage",
        "https://devcenter.heroku.com/articles/slug-compiler#slug-size",
    ),
    "build": Check(
        "Build",
        "the push is rejected and the running release keeps serving",
        "read the build output above",
        "https://devcenter.heroku.com/articles/python-support",
    ),
    "web-process": Check(
        "Web process",
        "H14 No web processes running: every request answers 503",
        "add a web process to the Procfile, e.g. web: gunicorn app:app",
        f"{_ERRORS}#h14-no-web-dynos-running",
    ),
    "release": Check(
        "Release phase",
        "the release fails and the previous one keeps serving",
        "run the release command with minidyno run, and fix what it prints",
        "https://devcenter.heroku.com/articles/release-phase",
    ),
    "database-url": Check(
        "postgres:// URL",
        "H10 App crashed: SQLAlchemy 1.4+ refuses Heroku's postgres:// DATABASE_URL",
        'replace "postgres://" with "postgresql://" in the URL before SQLAlchemy reads it',
        "https://help.heroku.com/ZKNTJQSK/why-is-sqlalchemy-1-4-x-not-connecting-to-heroku-postgres",
    ),
    "database-tls": Check(
        "Database TLS",
        "Heroku Postgres refuses connections without TLS, so the app cannot reach its database",
        "connect with sslmode=require (drop sslmode=disable)",
        "https://devcenter.heroku.com/articles/connecting-heroku-postgres#connecting-in-python",
    ),
    "bind": Check(
        "Binds $PORT",
        "R10 Boot timeout: a web dyno that does not bind 0.0.0.0:$PORT within 60 s is killed",
        "listen on 0.0.0.0 and the port in $PORT, e.g. gunicorn app:app --bind 0.0.0.0:$PORT",
        f"{_ERRORS}#r10-boot-timeout",
    ),
    "response": Check(
        "Answers /",
        "H12 Request timeout: the router answers 503 when the app sends nothing for 30 s",
        "answer within 30 s: move slow work to a worker process",
        "https://devcenter.heroku.com/articles/request-timeout",
    ),
    "cookies": Check(
        "Header size",
        "H25 HTTP restriction: a response with a cookie over 8192 bytes answers 502",
        "keep cookies small (browsers drop those over 4 KB): keep sessions server-side",
        "https://devcenter.heroku.com/articles/http-routing#http-validation-and-restrictions",
    ),
    "filesystem": Check(
        "Ephemeral filesystem",
        "files a dyno writes are lost when it restarts (at least daily) and no other dyno sees them",
        "keep data in Heroku Postgres (DATABASE_URL), uploads in object storage, scratch files in /tmp",
        "https://devcenter.heroku.com/articles/dyno-isolation#ephemeral-filesystem",
    ),
    "memory": Check(
        "Memory",
        "R14 Memory quota exceeded past 512 MB (the dyno pages to swap and slows), R15 killed past 1 GB",
        "use less memory: fewer workers (WEB_CONCURRENCY), or a larger dyno",
        f"{_ERRORS}#r14-memory-quota-exceeded",
    ),
    "sigterm": Check(
        "Exits on SIGTERM",
        "R12 Exit timeout: processes still running 30 s after SIGTERM are killed with SIGKILL",
        "let the process exit on SIGTERM (do not ignore it), within 30 s",
        f"{_ERRORS}#r12-exit-timeout",
    ),
}


@dataclass
class Finding:
    check: str
    status: str
    #: What doctor saw.
    seen: str
    #: A fix more precise than the check's own, when what was seen tells one.
    fix: str = ""


@dataclass
class Report:
    findings: dict[str, Finding] = field(default_factory=dict)

    def add(self, check: str, status: str, seen: str, fix: str = "") -> None:
        """Record a finding, merged with the check's earlier one: the worse status
        wins, and what each saw is kept."""
        assert check in CHECKS, check
        earlier = self.findings.get(check)
        if earlier is None or earlier.status == SKIP:
            self.findings[check] = Finding(check, status, seen, fix)
        elif status != SKIP:
            # A pass is no longer worth saying once something worse is seen.
            said = seen if earlier.status == PASS and status != PASS else f"{earlier.seen}; {seen}"
            later_wins = _RANK[status] >= _RANK[earlier.status]
            self.findings[check] = Finding(
                check,
                status if later_wins else earlier.status,
                said,
                (fix if later_wins else "") or earlier.fix,
            )

    def status_of(self, check: str) -> str | None:
        found = self.findings.get(check)
        return found.status if found else None

    @property
    def failed(self) -> bool:
        return any(f.status == FAIL for f in self.findings.values())

    def ordered(self) -> list[Finding]:
        return [self.findings[c] for c in CHECKS if c in self.findings]

    def as_json(self) -> list[dict[str, Any]]:
        result = []
        for finding in self.ordered():
            check = CHECKS[finding.check]
            entry = {**asdict(finding), "title": check.title}
            if finding.status in (WARN, FAIL):
                entry.update(heroku=check.heroku, fix=finding.fix or check.fix, link=check.link)
            result.append({**entry, "line": _line(entry)})
        return result


def _line(entry: dict[str, Any]) -> str:
    """One check as one line: its status, what was seen, and for a warning or a
    failure what Heroku would do, the fix and the Dev Center article."""
    text = f"{entry['status']:<5} {entry['check']:<16} {entry['seen']}"
    if entry["status"] in (WARN, FAIL):
        # The buildpack's own errors end their sentence already.
        text = text.removesuffix(".")
        text += f". On Heroku: {entry['heroku']}. Fix: {entry['fix']}. {entry['link']}"
    return text
