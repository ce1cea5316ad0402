"""Which stack a push builds on: the one whose Debian Python is the version the app asks
for, read by heroku-buildpack-python's rules (lib/python_version.sh): `runtime.txt`
(deprecated) first, then `.python-version` (3.N or 3.N.N, comments and blank lines
allowed), then Pipfile.lock's `python_version`; with none, the major version of the
app's last build, and for a first build the buildpack's default.

This runs before the build, because the version decides the stack image; the
buildpack then says where the version came from, in Heroku's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from minidyno.compile.source import Source
from minidyno.errors import UserError
from minidyno.stacks import recipes

#: heroku-buildpack-python's DEFAULT_PYTHON_MAJOR_VERSION (v351, August 2026).
DEFAULT_PYTHON = "3.14"
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?")
#: Misspellings of `.python-version` the buildpack refuses by name.
MISSPELLED = (
    " .python-version",
    ". python-version",
    ".python_version.txt",
    ".python_version",
    ".python-version ",
    ",python-version",
    ".python-version.",
    ".python-version.py",
    ".python-version.rtf",
    ".python-version.txt",
    ".python-version.TXT",
    ".Python-version",
    ".python.version",
    ".pythonversion",
    "'.python-version'",
    "python_version.txt",
    "python_version",
    "python-version.",
    "python-version.txt",
    "python-version",
)


@dataclass(frozen=True)
class PythonRequest:
    #: `3.N` or `3.N.N`.
    version: str
    #: Where it came from: `.python-version`, `runtime.txt`, `Pipfile.lock`, `cached`
    #: (the last build's major version) or `default`.
    origin: str


def _lines(text: str) -> list[str]:
    stripped = (line.strip() for line in text.splitlines())
    return [line for line in stripped if line and not line.startswith("#")]


def _from_python_version_file(text: str) -> str:
    versions = _lines(text)
    for version in versions:
        if not _VERSION.fullmatch(version):
            raise UserError(
                f"invalid Python version {version!r} in .python-version: give the major version "
                f"only, e.g. {DEFAULT_PYTHON} (recommended), or an exact one such as "
                f"{DEFAULT_PYTHON}.0"
            )
    if not versions:
        raise UserError(
            f"no Python version found in .python-version: write one line with the "
            f"major version, e.g. {DEFAULT_PYTHON}"
        )
    if len(versions) > 1:
        raise UserError(
            f"multiple Python versions found in .python-version "
            f"({', '.join(versions)}): keep one line, e.g. {DEFAULT_PYTHON}"
        )
    return versions[0]


def _from_runtime_txt(text: str) -> str:
    version = text.strip().removeprefix("python-")
    if not _VERSION.fullmatch(version):
        raise UserError(
            f"invalid Python version {text.strip()!r} in runtime.txt: runtime.txt is "
            f"deprecated; delete it and write {DEFAULT_PYTHON} in a .python-version "
            "file instead"
        )
    return version


def _from_pipfile_lock(text: str) -> str | None:
    try:
        requires = json.loads(text).get("_meta", {}).get("requires", {})
    except (ValueError, AttributeError):
        raise UserError(
            "Pipfile.lock is not valid JSON: run 'pipenv lock' to make it again, commit it and push again"
        ) from None
    version = requires.get("python_full_version") or requires.get("python_version")
    if version is None:
        return None
    if not _VERSION.fullmatch(str(version)):
        raise UserError(
            f"invalid Python version {version!r} in Pipfile.lock: set python_version "
            f"in the Pipfile to e.g. {DEFAULT_PYTHON}, then run 'pipenv lock'"
        )
    return str(version)


def requested_python(source: Source, last_build: str | None = None) -> PythonRequest:
    """The version the app asks for and where it came from; `last_build` is the Python
    (3.N) of the app's previous build, if it had one."""
    text = source.read_text("runtime.txt")
    if text is not None:
        return PythonRequest(_from_runtime_txt(text), "runtime.txt")
    names = source.names()
    for name in MISSPELLED:
        if name in names:
            raise UserError(
                f"your .python-version file is spelled incorrectly ({name!r}): rename "
                "it to '.python-version', commit and push again"
            )
    text = source.read_text(".python-version")
    if text is not None:
        return PythonRequest(_from_python_version_file(text), ".python-version")
    text = source.read_text("Pipfile.lock")
    if text is not None and (version := _from_pipfile_lock(text)):
        return PythonRequest(version, "Pipfile.lock")
    if last_build:
        return PythonRequest(last_build, "cached")
    return PythonRequest(DEFAULT_PYTHON, "default")


def choose(source: Source, last_build: str | None = None) -> tuple[recipes.Stack, PythonRequest]:
    """The stack for the push, and the request it answers (the build reports it)."""
    request = requested_python(source, last_build)
    return recipes.for_python(request.version), request
