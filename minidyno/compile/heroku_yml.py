"""heroku.yml, the manifest of Heroku's container stack: `build.docker` (a Dockerfile per
process type), `build.config` (build args), `release`, `run` and, at the first deploy,
`setup`.

Shorthands (`web: Dockerfile`, `web: gunicorn app:app`, `- heroku-postgresql`) are
expanded before validation so each problem gets one message, and every message names
its key and the line the key is on (PyYAML's marks), as `heroku.yml line 4: ...`.
"""

from __future__ import annotations

import posixpath
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator

from minidyno.compile.app_json import Addon, plain_message
from minidyno.errors import UserError
from minidyno.procfile import PROCESS_TYPE

#: Where a key is: its names (and list indexes) from the file's root.
KeyPath = tuple[str | int, ...]


def _scalar_text(value: Any) -> str:
    """YAML's `true` and `3` as the strings a build arg or config var holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError("must be a string, number or boolean")


Value = Annotated[str, BeforeValidator(_scalar_text)]

#: Keys of Heroku's heroku.yml that minidyno reads; others are warned about.
SECTIONS = ("setup", "build", "release", "run")


class DockerBuild(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dockerfile: str
    target: str | None = None

    @field_validator("dockerfile")
    @classmethod
    def _inside_repo(cls, value: str) -> str:
        normal = posixpath.normpath(value)
        if value.startswith("/") or normal == ".." or normal.startswith("../"):
            raise ValueError(
                f"{value!r} is outside the repository; name a Dockerfile in it, "
                "relative to the repository's root"
            )
        return normal

    @property
    def context(self) -> str:
        """The Dockerfile's folder is its build context, as on Heroku."""
        return posixpath.dirname(self.dockerfile) or "."


class BuildSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    docker: dict[str, DockerBuild]
    config: dict[str, Value] = {}


class ReleaseSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: list[Value]
    image: str = "web"


class RunSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    command: list[Value]
    image: str | None = None


class SetupSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    addons: list[Addon] = []
    config: dict[str, Value] = {}


class HerokuYml(BaseModel):
    model_config = ConfigDict(extra="ignore")
    setup: SetupSection = SetupSection()
    build: BuildSection
    release: ReleaseSection | None = None
    run: dict[str, RunSpec] = {}

    def image_of(self, process_type: str) -> str:
        """The `build.docker` entry whose image runs `process_type`."""
        spec = self.run.get(process_type)
        if spec and spec.image:
            return spec.image
        return process_type if process_type in self.build.docker else "web"

    def process_types(self) -> list[str]:
        return list(dict.fromkeys([*self.build.docker, *self.run]))


def command_text(command: list[str]) -> str:
    """A `command:` list as the one shell command Heroku runs (`sh -c`): its items
    joined by spaces, so `[rails db:migrate]` and `[rails, db:migrate]` mean the same."""
    return " ".join(command)


def parse(text: str) -> tuple[HerokuYml, list[str]]:
    """The manifest and its warnings; UserError naming the key and line of each
    problem."""
    try:
        raw = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise UserError(f"heroku.yml is not valid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise UserError(f"heroku.yml is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise UserError(
            "heroku.yml must be a mapping with a `build:` section (build: docker: web: Dockerfile)"
        )
    lines = _key_lines(root)
    try:
        manifest = HerokuYml.model_validate(_expand_shorthands(raw))
    except ValidationError as exc:
        raise UserError(
            "; ".join(_located(lines, tuple(e["loc"]), plain_message(e["msg"])) for e in exc.errors())
        ) from None
    problems = [_located(lines, path, message) for path, message in _cross_checks(manifest)]
    if problems:
        raise UserError("; ".join(problems))
    warnings = [f"{_located(lines, (key,), 'unknown section ignored')}" for key in raw if key not in SECTIONS]
    return manifest, warnings


def _expand_shorthands(raw: dict[str, Any]) -> dict[str, Any]:
    """Heroku's short forms as their long ones; anything else is left for validation
    to name."""
    data = dict(raw)
    build = data.get("build")
    if isinstance(build, dict) and isinstance(build.get("docker"), dict):
        build = data["build"] = dict(build)
        build["docker"] = {
            t: {"dockerfile": v} if isinstance(v, str) else v for t, v in build["docker"].items()
        }
    if isinstance(data.get("run"), dict):
        data["run"] = {t: _command_form(v) for t, v in data["run"].items()}
    if isinstance(data.get("release"), dict):
        data["release"] = _command_form(data["release"])
    setup = data.get("setup")
    if isinstance(setup, dict) and isinstance(setup.get("addons"), list):
        setup = data["setup"] = dict(setup)
        setup["addons"] = [{"plan": a} if isinstance(a, str) else a for a in setup["addons"]]
    return data


def _command_form(value: Any) -> Any:
    if isinstance(value, str):
        return {"command": [value]}
    if isinstance(value, dict) and isinstance(value.get("command"), str):
        return {**value, "command": [value["command"]]}
    return value


def _cross_checks(manifest: HerokuYml) -> list[tuple[KeyPath, str]]:
    """What one key cannot know alone: names of types and images that must exist."""
    built = manifest.build.docker
    found: list[tuple[KeyPath, str]] = []
    if not built:
        found.append((("build", "docker"), "names no Dockerfile; add `web: Dockerfile`"))
    for process_type in manifest.process_types():
        spec = manifest.run.get(process_type)
        path: KeyPath = ("build", "docker", process_type) if process_type in built else ("run", process_type)
        if spec and spec.image:
            path = ("run", process_type, "image")
        if not PROCESS_TYPE.fullmatch(process_type) or process_type in ("run", "release"):
            found.append(
                (
                    path,
                    f"{process_type!r} is not a process type name (letters, "
                    "digits, - and _; not `run` or `release`)",
                )
            )
        elif manifest.image_of(process_type) not in built:
            found.append(
                (
                    path,
                    f"runs in the image of {manifest.image_of(process_type)!r}, "
                    "which build.docker does not build; add it there or set image:",
                )
            )
    if manifest.release and manifest.release.image not in built:
        found.append(
            (
                ("release", "image"),
                f"{manifest.release.image!r} is not built by "
                "build.docker; name one of "
                f"{', '.join(built) or 'its types'}",
            )
        )
    if manifest.release and not command_text(manifest.release.command).strip():
        found.append((("release", "command"), "is empty; give the command to run"))
    return found


def _key_lines(root: yaml.Node | None) -> dict[KeyPath, int]:
    """The 1-based line of every key and list item, by its path from the root."""
    lines: dict[KeyPath, int] = {}

    def walk(node: yaml.Node, path: KeyPath) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
                walk(item, (*path, index))

    if root is not None:
        walk(root, ())
    return lines


def _located(lines: dict[KeyPath, int], path: KeyPath, message: str) -> str:
    """`heroku.yml line N: a.b.c: message`, N the line of the deepest key of `path`
    that the file has (a missing key is reported on its parent's line)."""
    shown = ".".join(str(p) for p in path)
    for end in range(len(path), 0, -1):
        key = path[:end]
        if key in lines:
            return f"heroku.yml line {lines[key]}: {shown}: {message}"
    return f"heroku.yml: {shown}: {message}" if shown else f"heroku.yml: {message}"
