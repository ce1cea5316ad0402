"""`minidyno local`: run a Procfile offline, the way `heroku local` does, on honcho's
manager and parsers. No Docker, no server: just the processes, with PORT, DYNO and
the .env file(s) in their environment.

Ports follow `heroku local` (and foreman): the first process type gets the base port
(5000, `-p`, or PORT from .env), each further type 100 more, each further dyno of a
type 1 more; so web.1 is on 5000 when web comes first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from honcho.environ import expand_processes
from honcho.environ import parse as parse_env
from honcho.manager import Manager
from honcho.printer import Printer

from minidyno import procfile
from minidyno.errors import UserError

SECRET_KEY = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE|CREDENTIAL)", re.I)


@dataclass(frozen=True)
class LocalSetup:
    processes: dict[str, str]
    env: dict[str, str]
    warnings: list[str]


def read_env_files(paths: list[Path]) -> dict[str, str]:
    """.env files in order, later ones winning; honcho's parsing rules."""
    env: dict[str, str] = {}
    for path in paths:
        if path.exists():
            env.update(parse_env(path.read_text()))
        elif path.name != ".env":
            raise UserError(f"env file {path} not found")
    return env


def tracked_secrets(path: Path, env: dict[str, str]) -> list[str]:
    """Secret-looking keys of an env file that git tracks (and so shares)."""
    tracked = (
        subprocess.run(
            ["git", "ls-files", "--error-unmatch", path.name], cwd=path.parent, capture_output=True
        ).returncode
        == 0
    )
    return sorted(k for k in env if SECRET_KEY.search(k)) if tracked else []


def prepare(procfile_path: Path, env_paths: list[Path], only: list[str]) -> LocalSetup:
    if not procfile_path.exists():
        raise UserError(
            f"no Procfile at {procfile_path}; write one (`web: gunicorn app:app "
            "--bind 0.0.0.0:$PORT`) or pass -f"
        )
    processes, _ = procfile.parse(procfile_path.read_text())
    unknown = [t for t in only if t not in processes]
    if unknown:
        raise UserError(f"no {', '.join(unknown)} in the Procfile (its types: {', '.join(processes)})")
    if only:
        processes = {t: c for t, c in processes.items() if t in only}
    env = read_env_files(env_paths)
    warnings = []
    for path in env_paths:
        if path.exists() and (keys := tracked_secrets(path, parse_env(path.read_text()))):
            warnings.append(
                f"{path.name} is tracked by git and holds {', '.join(keys)}: "
                f"add it to .gitignore and keep secrets out of the repo"
            )
    return LocalSetup(processes, env, warnings)


def run(setup: LocalSetup, port: int | None, formation: dict[str, int]) -> int:
    """Start every process and multiplex their output; when one exits, stop the rest
    (SIGTERM, then SIGKILL after honcho's grace period) and return its status."""
    base_env = {**os.environ, **setup.env}
    base_port = port or int(setup.env.get("PORT") or os.environ.get("PORT") or 5000)
    base_env.pop("PORT", None)
    concurrency = {t: formation.get(t, 1) for t in setup.processes}
    running = {t: c for t, c in setup.processes.items() if concurrency[t] > 0}
    manager = Manager(Printer(sys.stdout, colour=sys.stdout.isatty()))
    for params in expand_processes(running, concurrency=concurrency, env=base_env, port=base_port):
        manager.add_process(params.name, params.cmd, env={**params.env, "DYNO": params.name})
    manager.loop()
    return manager.returncode or 0


def run_one(env: dict[str, str], command: list[str]) -> int:
    """`local:run`: one command with the app's .env, for a migration or a shell."""
    return subprocess.call(command, env={**os.environ, **env})


def parse_formation(text: str) -> dict[str, int]:
    """`web=1,worker=2` (heroku local's --formation)."""
    formation = {}
    for part in filter(None, text.split(",")):
        name, sep, count = part.partition("=")
        if not sep or not count.strip().isdigit():
            raise UserError(f"cannot read {part!r} in --formation: use TYPE=N,TYPE=N")
        formation[name.strip()] = int(count)
    return formation
