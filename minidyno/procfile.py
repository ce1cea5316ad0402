"""The Procfile, one parser for the build, `procfile:check` and `local`.

honcho does the parsing; this adds what Heroku rejects that honcho lets pass (a
duplicate type, a type named `run`, a line that is not `type: command`), each with its
line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from honcho.environ import PROCFILE_LINE, parse_procfile

from minidyno.errors import UserError

PROCESS_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Procfile line {self.line}: {self.message}"


class InvalidProcfile(UserError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def problems(text: str) -> list[Problem]:
    found: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PROCFILE_LINE.match(line)
        if not match:
            name, sep, _ = line.partition(":")
            if sep and not PROCESS_TYPE.match(name.strip()):
                found.append(Problem(number, f"invalid process type {name.strip()!r}: use "
                                             "letters, digits, _ and -"))
            elif sep:
                found.append(Problem(number, f"process type {name.strip()!r} has no command"))
            else:
                found.append(Problem(number, "expected `type: command`"))
            continue
        name = match.group(1)
        if name == "run":
            found.append(Problem(number, "`run` is reserved for one-off dynos; rename it"))
        if name in seen:
            found.append(Problem(number, f"duplicate process type {name!r} "
                                         f"(first on line {seen[name]})"))
        seen.setdefault(name, number)
    if not seen and not found:
        found.append(Problem(1, "the Procfile declares no process types"))
    return found


def parse(text: str) -> dict[str, str]:
    """Process types to commands, or InvalidProcfile naming every problem."""
    found = problems(text)
    if found:
        raise InvalidProcfile(found)
    return dict(parse_procfile(text.replace("\r\n", "\n")).processes)
