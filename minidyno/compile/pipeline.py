"""One build, in the order Heroku prints it: stack, Procfile, buildpack, image; or, when
the push has heroku.yml, its Dockerfiles (the container stack)."""

from __future__ import annotations

import docker

from minidyno import procfile
from minidyno.compile import buildpack, detect, docker_build, heroku_yml, slug_image, stack_choice
from minidyno.compile.source import Source
from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.stacks import builder, recipes
from minidyno.state.releases import Slug


def read_heroku_yml(source: Source, say: Say) -> heroku_yml.HerokuYml | None:
    """The push's heroku.yml, checked (errors reject the push, warnings are printed)."""
    text = source.read_text("heroku.yml")
    if text is None:
        return None
    manifest, warnings = heroku_yml.parse(text)
    for warning in warnings:
        say(f" !     Warning: {warning}")
    return manifest


def run(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    version: int,
    source: Source,
    config: dict[str, str],
    heroku_yml_manifest: heroku_yml.HerokuYml | None,
    last_stack: str | None,
    say: Say,
) -> Slug:
    """`heroku_yml_manifest` is the push's heroku.yml, which makes it a Docker build;
    `last_stack` the stack of the app's previous build (its Python is the default for
    this one)."""
    names = source.names()
    if not names - {""}:
        raise UserError("the pushed commit has no files; commit your app, then push again")
    if heroku_yml_manifest is not None:
        return docker_build.run(engine, settings, app, version, source, heroku_yml_manifest, say)
    declared = _read_procfile(source, names, say)
    last = recipes.STACKS.get(last_stack or "")
    stack, python = stack_choice.choose(source, last.python if last else None)
    say(f"-----> Building on the minidyno-{stack.name} stack (Debian {stack.suite}, Python {stack.python})")
    if not buildpack.detects(settings, source, say):
        raise UserError(detect.refusal(names))
    if not (
        builder.is_current(engine, stack.run_image, stack)
        and builder.is_current(engine, stack.build_image, stack)
    ):
        say("-----> Making the stack images first (once per stack, about a minute)")
        builder.ensure(engine, stack, settings, say=lambda line: say(f"       {line}"))
    try:
        compiled = buildpack.compile_app(engine, settings, app, stack, python, source, config, say)
    except buildpack.BuildFailed as failed:
        raise UserError(
            failed.reason or "build failed: the buildpack's output above says why; fix it and push again"
        ) from None
    try:
        processes = declared if declared is not None else compiled.default_process_types
        say("-----> Discovering process types")
        if declared is None:
            say(
                "       No Procfile: using the buildpack's default process types"
                f" -> {', '.join(processes) or '(none)'}"
            )
        else:
            say(f"       Procfile declares types -> {', '.join(processes)}")
        image = slug_image.commit(engine, settings, app, version, stack, compiled)
    finally:
        compiled.container.remove(force=True)
    return Slug(image=image, stack=stack.name, commit_sha=source.commit, processes=processes)


def _read_procfile(source: Source, names: set[str], say: Say) -> dict[str, str] | None:
    """The Procfile's process types (errors reject the push, warnings are printed)."""
    text = source.read_text("Procfile")
    if text is None:
        return None
    web_app = procfile.looks_like_web_app(source.read_text("requirements.txt"), names)
    processes, warnings = procfile.parse(text, web_app)
    for warning in warnings:
        say(f" !     Warning: {warning}")
    return processes
