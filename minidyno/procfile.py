"""The Procfile, one module for the build, `procfile:check` and `local`.

honcho does the parsing; this adds what Heroku rejects or what would fail there, each
with its line number: errors (a line that is not `type: command`, an invalid or
duplicate type, a type named `run`, CRLF line endings, a `web` command that cannot be
reached on $PORT) and warnings (no `web` in what looks like a web app).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from honcho.environ import PROCFILE_LINE, parse_procfile

from minidyno.errors import UserError

PROCESS_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")
ERROR, WARNING = "error", "warning"
#: Packages in requirements that mean the app serves HTTP and so wants a `web` type.
WEB_PACKAGES = (
    "flask",
    "django",
    "fastapi",
    "gunicorn",
    "uvicorn",
    "starlette",
    "bottle",
    "pyramid",
    "tornado",
    "aiohttp",
    "sanic",
    "quart",
    "falcon",
    "streamlit",
)


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"Procfile line {self.line}: {self.message}"


class InvalidProcfile(UserError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def check(text: str, looks_like_web_app: bool = False) -> list[Problem]:
    """Every problem of a Procfile, errors and warnings, in line order."""
    found: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.endswith("\r"):
            found.append(
                Problem(
                    number,
                    "CRLF line ending: save the Procfile with LF endings "
                    "(the \\r would end up in the command)",
                )
            )
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PROCFILE_LINE.match(line)
        if not match:
            found.append(_unreadable(number, line))
            continue
        name, command = match.group(1), match.group(2)
        if name == "run":
            found.append(Problem(number, "`run` is reserved for one-off dynos; rename it"))
        if name in seen:
            found.append(Problem(number, f"duplicate process type {name!r} (first on line {seen[name]})"))
        seen.setdefault(name, number)
        if name == "web":
            found.extend(Problem(number, m) for m in port_problems(command))
    if not seen and not any(p.severity == ERROR for p in found):
        found.append(Problem(1, "the Procfile declares no process types"))
    elif "web" not in seen and looks_like_web_app:
        found.append(
            Problem(
                1, "no `web` process type, but this looks like a web app: nothing will serve its URL", WARNING
            )
        )
    return sorted(found, key=lambda p: p.line)


def _unreadable(number: int, line: str) -> Problem:
    name, sep, command = line.partition(":")
    if sep and not PROCESS_TYPE.fullmatch(name.strip()):
        return Problem(number, f"invalid process type {name.strip()!r}: use letters, digits, _ and -")
    if sep and not command.strip():
        return Problem(number, f"process type {name.strip()!r} has no command")
    return Problem(number, "expected `type: command`")


def port_problems(command: str) -> list[str]:
    """Why a web command would not be reachable on $PORT from the router."""
    try:
        words = shlex.split(command)
    except ValueError:
        return []
    uses_port = "$PORT" in command or "${PORT" in command
    program = " ".join(words[:3])
    if words and words[0] == "gunicorn":
        for flag in ("-b", "--bind"):
            if flag in words and words.index(flag) + 1 < len(words):
                bind = words[words.index(flag) + 1]
                if "$PORT" not in bind and "${PORT" not in bind:
                    return [f"gunicorn binds {bind}, not $PORT: use --bind 0.0.0.0:$PORT"]
        return []
    if "flask run" in program or program.startswith("python -m flask"):
        if not uses_port:
            return ["`flask run` listens on 5000, not $PORT: add --host 0.0.0.0 --port $PORT"]
        if "0.0.0.0" not in command:
            return ["`flask run` listens on 127.0.0.1 only: add --host 0.0.0.0"]
    if "http.server" in program and not uses_port:
        return ["`python -m http.server` listens on 8000, not $PORT: add $PORT"]
    if words and words[0] == "uvicorn":
        if not uses_port:
            return ["uvicorn listens on 8000, not $PORT: add --port $PORT"]
        if "0.0.0.0" not in command:
            return ["uvicorn listens on 127.0.0.1 only: add --host 0.0.0.0"]
    return []


def looks_like_web_app(requirements: str | None, names: set[str]) -> bool:
    if "manage.py" in names:
        return True
    wanted = re.compile(rf"^\s*({'|'.join(WEB_PACKAGES)})\b", re.I | re.M)
    return bool(requirements and wanted.search(requirements))


def parse(text: str, looks_like_web_app: bool = False) -> tuple[dict[str, str], list[Problem]]:
    """Process types to commands, and the warnings; InvalidProcfile naming every
    error when there is one."""
    found = check(text, looks_like_web_app)
    errors = [p for p in found if p.severity == ERROR]
    if errors:
        raise InvalidProcfile(errors)
    processes = dict(parse_procfile(text.replace("\r\n", "\n")).processes)
    return processes, [p for p in found if p.severity == WARNING]
