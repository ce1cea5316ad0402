"""app.json, read at an app's first deploy as Heroku reads it for review apps and
buttons: `env` (values, `required`, `generator: secret`), `formation`, `addons` and
`scripts.postdeploy`. Validated with typed models; each problem is named by its key,
and unknown keys are warned about rather than fatal."""

from __future__ import annotations

import json
import re
import secrets

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from minidyno.errors import UserError

#: Keys of Heroku's app.json schema that minidyno accepts and does not act on.
IGNORED = {
    "name",
    "description",
    "keywords",
    "website",
    "repository",
    "logo",
    "success_url",
    "buildpacks",
    "environments",
    "stack",
    "image",
}


class EnvVar(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    value: str | None = None
    required: bool = True
    generator: str | None = None

    @field_validator("generator")
    @classmethod
    def _known_generator(cls, value: str | None) -> str | None:
        if value not in (None, "secret"):
            raise ValueError("the only generator is `secret`")
        return value


class Process(BaseModel):
    model_config = ConfigDict(extra="ignore")
    quantity: int = Field(default=1, ge=0)


class Addon(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    plan: str
    as_: str | None = Field(default=None, alias="as")

    @field_validator("as_")
    @classmethod
    def _config_var_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError(
                f"{value!r} is not an attachment name; use letters, digits and "
                "_ (DATABASE attaches as DATABASE_URL)"
            )
        return value


class Scripts(BaseModel):
    model_config = ConfigDict(extra="ignore")
    postdeploy: str | None = None


class AppJson(BaseModel):
    model_config = ConfigDict(extra="ignore")
    env: dict[str, EnvVar | str] = {}
    formation: dict[str, Process] = {}
    addons: list[Addon | str] = []
    scripts: Scripts = Scripts()

    def addon_specs(self) -> list[Addon]:
        return [Addon(plan=a) if isinstance(a, str) else a for a in self.addons]

    def with_setup(self, env: dict[str, str], addons: list[Addon]) -> AppJson:
        """This manifest plus heroku.yml's `setup`: app.json's env wins, and an add-on
        both ask for is made once."""
        merged_env = {**{k: EnvVar(value=v) for k, v in env.items()}, **self.env}
        specs = self.addon_specs()
        return self.model_copy(
            update={"env": merged_env, "addons": specs + [a for a in addons if a not in specs]}
        )


def parse(text: str) -> tuple[AppJson, list[str]]:
    """The manifest and its warnings; UserError naming the key of each problem."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"app.json is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(raw, dict):
        raise UserError("app.json must hold a JSON object")
    try:
        manifest = AppJson.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {plain_message(e['msg'])}" for e in exc.errors()
        )
        raise UserError(f"app.json: {problems}") from None
    known = set(AppJson.model_fields) | IGNORED
    warnings = [f"app.json: unknown key {key!r} ignored" for key in raw if key not in known]
    return manifest, warnings


def plain_message(message: str) -> str:
    """pydantic's message without its internals (`Value error, `, model names)."""
    message = message.removeprefix("Value error, ")
    return re.sub(r" or instance of \w+", "", message).replace("valid dictionary", "mapping")


def initial_config(manifest: AppJson, config: dict[str, str]) -> dict[str, str]:
    """The config vars a first deploy starts with: what is set already wins, then
    each var's value or a generated secret; a required one with neither fails the
    push, naming it."""
    result = dict(config)
    missing = []
    for name, spec in manifest.env.items():
        spec = EnvVar(value=spec) if isinstance(spec, str) else spec
        if name in result:
            continue
        if spec.generator == "secret":
            result[name] = secrets.token_hex(32)
        elif spec.value is not None:
            result[name] = spec.value
        elif spec.required:
            missing.append(name)
    if missing:
        raise UserError(
            f"app.json requires {', '.join(missing)}: set "
            f"{' '.join(m + '=…' for m in missing)} with `minidyno config:set` "
            "and push again"
        )
    return result
