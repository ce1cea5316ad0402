"""The checks that read the source alone, before anything is built: the rules a push
meets (the Procfile's, the buildpack's own), and code that works on a laptop but not
on Heroku (SQLite, a postgres:// URL handed to SQLAlchemy, TLS turned off, a committed
.env). Code is read line by line with patterns, so these are the source's evidence;
the dyno's behaviour, watched after the build, confirms or clears it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from honcho.environ import parse as parse_env

from minidyno import procfile
from minidyno.compile import buildpack, stack_choice
from minidyno.compile.source import Source
from minidyno.doctor.report import FAIL, PASS, SKIP, WARN, Report
from minidyno.errors import UserError
from minidyno.settings import Settings

MB = 1024 * 1024
#: Heroku's slug limits: a warning past the soft one, a failed build past the hard one.
SOFT_LIMIT_MB, HARD_LIMIT_MB = 300, 500
#: Folders of code that never runs in a dyno's web or worker process.
_NOT_APP_CODE = {"tests", "test", ".venv", "venv", "node_modules", "site-packages", "docs"}
_SQLITE = re.compile(
    r"django\.db\.backends\.sqlite3|sqlite:///(?!:memory:)|sqlite3\.connect\((?!['\"]:memory:)"
)
#: DATABASE_URL read by name, or by the libraries that read it for a Django app.
_READS_DATABASE_URL = re.compile(r"DATABASE_URL|dj_database_url|\benv\.db\(")
_SQLALCHEMY = re.compile(r"^\s*(from|import)\s+(sqlalchemy|flask_sqlalchemy|sqlmodel)\b", re.M)
_NO_TLS = re.compile(r"""sslmode\s*[=:]\s*["']?disable|ssl_require\s*=\s*False""")
_SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$", re.I)
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@\s]+@", re.I)
_ENV_EXAMPLES = (".example", ".sample", ".template", ".dist")


def check(settings: Settings, source: Source, report: Report) -> bool:
    """Record what the source shows; whether a build could succeed (the rules a
    push is refused by are kept), so one that cannot is not started."""
    names = source.names()
    heroku_yml = "heroku.yml" in names
    _procfile(source, names, heroku_yml, report)
    if heroku_yml:
        for rule in ("package-manager", "venv", "python-version"):
            report.add(rule, SKIP, "not checked: heroku.yml builds with its Dockerfile")
    elif buildpack.detects(settings, source, lambda _: None):
        _buildpack_rules(settings, source, report)
    else:
        for rule in ("package-manager", "venv", "python-version"):
            report.add(rule, SKIP, "not checked: no Python app detected")
    _env_file(source, names, report)
    _source_size(source, report)
    code = dict(_app_code(source, names))
    _sqlite(code, report)
    _postgres_scheme(code, report)
    _tls_disabled(code, report)
    return not any(
        report.status_of(rule) == FAIL for rule in ("procfile", "package-manager", "venv", "python-version")
    )


def _procfile(source: Source, names: set[str], heroku_yml: bool, report: Report) -> None:
    text = source.read_text("Procfile")
    if heroku_yml:
        report.add("procfile", SKIP, "not checked: heroku.yml's run section names the processes")
        return
    if text is None:
        report.add("procfile", PASS, "no Procfile: the buildpack's default process types")
        return
    # A web app without `web` is the web-process check's to name, once the build has
    # said which process types there are.
    problems = procfile.check(text, looks_like_web_app=False)
    errors = [str(p) for p in problems if p.severity == procfile.ERROR]
    warnings = [str(p) for p in problems if p.severity == procfile.WARNING]
    if errors:
        report.add("procfile", FAIL, "; ".join(errors))
    elif warnings:
        report.add("procfile", WARN, "; ".join(warnings))
    else:
        report.add("procfile", PASS, f"declares {', '.join(procfile.parse(text)[0])}")


def _buildpack_rules(settings: Settings, source: Source, report: Report) -> None:
    """The buildpack's own rules, by its own `bin/check`, in the order `bin/compile`
    applies them."""
    venv = buildpack.check_rule(settings, source, "venv")
    report.add("venv", FAIL if venv.error else PASS, venv.error or "no virtualenv committed")
    manager = buildpack.check_rule(settings, source, "package-manager")
    report.add(
        "package-manager",
        FAIL if manager.error else PASS,
        manager.error or "exactly one package manager file",
    )
    try:
        python = stack_choice.requested_python(source)
    except UserError as refused:
        report.add("python-version", FAIL, str(refused))
        return
    if manager.error:
        report.add("python-version", SKIP, "not checked: the package manager decides the rules")
        return
    rule = buildpack.check_rule(settings, source, "python-version", python)
    if rule.error:
        report.add("python-version", FAIL, rule.error)
    elif rule.warnings:
        report.add("python-version", WARN, "; ".join(rule.warnings))
    else:
        report.add("python-version", PASS, f"Python {python.version} from {python.origin}")


def _env_file(source: Source, names: set[str], report: Report) -> None:
    """A committed .env: its secrets are in every clone and every slug (Heroku's
    advice is never to commit it)."""
    files = sorted(n for n in names if n.split("/")[-1].startswith(".env") and not n.endswith(_ENV_EXAMPLES))
    secrets = {
        name: [
            key for key, value in parse_env(source.read_text(name) or "").items() if _is_secret(key, value)
        ]
        for name in files
    }
    found = [f"{name} holds {', '.join(keys)}" for name, keys in secrets.items() if keys]
    if found:
        report.add("env-file", WARN, "; ".join(found))
    elif files:
        report.add("env-file", PASS, f"{', '.join(files)} committed, with no secret in it")
    else:
        report.add("env-file", PASS, "no .env committed")


def _is_secret(key: str, value: str) -> bool:
    return bool(value) and (bool(_SECRET_NAME.search(key)) or bool(_URL_WITH_PASSWORD.match(value)))


def _source_size(source: Source, report: Report) -> None:
    size = source.size() / MB
    seen = f"the source is {size:.1f} MB"
    if size > HARD_LIMIT_MB:
        report.add("slug-size", FAIL, f"{seen}, past the 500 MB slug limit before any dependency")
    elif size > SOFT_LIMIT_MB:
        report.add("slug-size", WARN, f"{seen}, past the 300 MB soft limit before any dependency")
    else:
        report.add("slug-size", PASS, seen)


def _app_code(source: Source, names: set[str]) -> Iterator[tuple[str, str]]:
    """Each Python file a dyno would run, by name (tests and vendored code left out)."""
    for name in sorted(names):
        parts = name.split("/")
        if not name.endswith(".py") or _NOT_APP_CODE & set(parts[:-1]):
            continue
        if parts[-1].startswith("test_") or parts[-1] in ("conftest.py", "setup.py"):
            continue
        text = source.read_text(name)
        if text is not None:
            yield name, text


def _where(code: dict[str, str], pattern: re.Pattern[str]) -> list[str]:
    """`file line N` of each match."""
    return [
        f"{name} line {number}"
        for name, text in code.items()
        for number, text_line in enumerate(text.splitlines(), start=1)
        if pattern.search(text_line)
    ]


def _sqlite(code: dict[str, str], report: Report) -> None:
    """SQLite as the database a dyno uses: not where it is only the local fallback of
    a file that reads DATABASE_URL (Heroku's getting-started apps do that)."""
    found = _where({n: t for n, t in code.items() if not _READS_DATABASE_URL.search(t)}, _SQLITE)
    if found:
        report.add(
            "filesystem",
            FAIL,
            f"SQLite is the database ({', '.join(found[:3])}): on Heroku its file is lost at every restart",
            fix="use Heroku Postgres, read from DATABASE_URL (https://devcenter.heroku.com/articles/sqlite3)",
        )
    else:
        report.add("filesystem", PASS, "no SQLite database configured")


def _postgres_scheme(code: dict[str, str], report: Report) -> None:
    """SQLAlchemy given DATABASE_URL as it is, with nothing in the code turning
    `postgres://` into `postgresql://`."""
    uses = [name for name, text in code.items() if _SQLALCHEMY.search(text)]
    reads = _where(code, re.compile(r"DATABASE_URL"))
    mended = any(
        "postgres://" in line and "postgresql" in line for text in code.values() for line in text.splitlines()
    )
    if uses and reads and not mended:
        report.add(
            "database-url",
            WARN,
            f"SQLAlchemy ({uses[0]}) reads DATABASE_URL ({reads[0]}) and nothing replaces postgres://",
        )
    else:
        report.add("database-url", PASS, "no SQLAlchemy given a postgres:// URL")


def _tls_disabled(code: dict[str, str], report: Report) -> None:
    found = _where(code, _NO_TLS)
    if found:
        report.add("database-tls", WARN, f"TLS turned off for the database ({', '.join(found[:3])})")
    else:
        report.add("database-tls", PASS, "TLS not turned off in the code")
