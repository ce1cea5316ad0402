"""A push with heroku.yml, built as Heroku's container stack builds it: each Dockerfile of
`build.docker` through the Docker SDK (classic builder), its folder as the context,
`build.config` as build args.

On a machine behind a TLS proxy, `RUN pip install` needs the proxy's CA. The proxy
variables are passed as Docker's predefined build args, which Docker keeps out of the
image's history; the CAs this host added to its trust store are offered as the build
arg `MINIDYNO_CA_CERT` to a Dockerfile that declares it (best in a builder stage, since
Docker records a declared arg's value in that stage's history). Nothing is added to the
image: no file, no environment variable.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound

from minidyno import labels
from minidyno.compile.heroku_yml import DockerBuild, HerokuYml, command_text
from minidyno.compile.source import Source
from minidyno.errors import UserError
from minidyno.lines import LineSplitter
from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.state.releases import CONTAINER_STACK, Slug

CA_BUILD_ARG = "MINIDYNO_CA_CERT"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12})$")


def run(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    version: int,
    source: Source,
    manifest: HerokuYml,
    say: Say,
) -> Slug:
    say("-----> Building with Docker, from heroku.yml (the container stack)")
    for entry in manifest.build.docker.values():
        if source.read_text(entry.dockerfile) is None:
            raise UserError(
                f"heroku.yml names {entry.dockerfile}, which is not a file in the "
                "pushed commit; commit it or fix build.docker"
            )
    repository = labels.image_repository(settings, app)
    built: dict[tuple[str, str | None], str] = {}
    images: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="minidyno-context-") as folder:
        for name in source.unpack(Path(folder)):
            say(f" !     Warning: {name} links outside the repository and is left out of the build context")
        try:
            for built_type, entry in manifest.build.docker.items():
                key = (entry.dockerfile, entry.target)
                if key not in built:
                    tag = f"v{version}" if built_type == "web" else f"v{version}-{built_type}"
                    say(
                        f"-----> Building {built_type} from {entry.dockerfile}"
                        + (f" (target {entry.target})" if entry.target else "")
                    )
                    built[key] = _build(
                        engine,
                        settings,
                        app,
                        Path(folder),
                        entry,
                        manifest.build.config,
                        f"{repository}:{tag}",
                        say,
                    )
                images[built_type] = built[key]
        except BaseException:
            for image in built.values():
                with contextlib.suppress(APIError, ImageNotFound):
                    engine.images.remove(image)
            raise
    for process_type in manifest.process_types():
        images[process_type] = images[manifest.image_of(process_type)]
    processes = {t: _command(engine, manifest, t, images[t]) for t in manifest.process_types()}
    if manifest.release:
        processes["release"] = command_text(manifest.release.command)
        images["release"] = images[manifest.release.image]
    say("-----> Discovering process types")
    say(f"       heroku.yml declares types -> {', '.join(manifest.process_types())}")
    main = images.get("web") or next(iter(images.values()))
    return Slug(
        image=main, stack=CONTAINER_STACK, commit_sha=source.commit, processes=processes, images=images
    )


def _build(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    folder: Path,
    entry: DockerBuild,
    build_args: dict[str, str],
    tag: str,
    say: Say,
) -> str:
    """One `docker build`, its output streamed line by line; the stage images of a
    multi-stage build are removed afterwards (only the tagged image is the app's)."""
    context = folder / entry.context
    dockerfile = Path(entry.dockerfile).name
    args = {**settings.build_proxy_env, **build_args}
    if f"ARG {CA_BUILD_ARG}" in (context / dockerfile).read_text(errors="replace"):
        args[CA_BUILD_ARG] = host_extra_ca(settings)
    stage_images: list[str] = []
    image_id = None

    def relay(line: str) -> None:
        if step := _STEP_IMAGE.match(line):
            stage_images.append(step.group(1))
        say(f"       {line}")

    splitter = LineSplitter(relay)
    try:
        for message in engine.api.build(
            path=str(context),
            dockerfile=dockerfile,
            tag=tag,
            buildargs=args,
            target=entry.target,
            labels=labels.of_app(settings, app),
            rm=True,
            forcerm=True,
            pull=False,
            network_mode="bridge",
            decode=True,
        ):
            if "error" in message:
                raise UserError(
                    f"the Docker build of {entry.dockerfile} failed: "
                    f"{_ANSI.sub('', message['error']).strip()}; fix it and push again"
                )
            splitter.feed(_ANSI.sub("", message.get("stream", "")).encode())
            image_id = (message.get("aux") or {}).get("ID", image_id)
    except APIError as exc:
        raise UserError(
            f"Docker refused the build of {entry.dockerfile}: {exc.explanation or exc}; fix it and push again"
        ) from None
    finally:
        splitter.close()
        _remove_stage_images(engine, stage_images)
    if image_id is None:
        raise UserError(f"the Docker build of {entry.dockerfile} made no image; push again")
    return tag


def host_extra_ca(settings: Settings) -> str:
    """The PEM text of the CAs this host added (Debian: /usr/local/share/ca-certificates):
    what an image's own bundle lacks to pass this machine's TLS proxy. The whole host
    bundle would not fit: one environment variable holds at most 128 KiB."""
    folder = settings.host_extra_ca_dir
    if folder is None or not folder.is_dir():
        return ""
    return "".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*.crt")))


def _remove_stage_images(engine: docker.DockerClient, ids: list[str]) -> None:
    """Untagged images a build left: the last image of each builder stage. Those still
    under the tagged image refuse removal, which is what keeps them."""
    for image_id in reversed(ids):
        with contextlib.suppress(APIError, ImageNotFound):
            image = engine.images.get(image_id)
            if not image.tags:
                engine.images.remove(image.id, noprune=False)


def _command(engine: docker.DockerClient, manifest: HerokuYml, process_type: str, image: str) -> str:
    """`run.<type>`, else the image's CMD as one shell command (Heroku runs CMD with
    `sh -c`, so `$PORT` expands); "" leaves an image with an ENTRYPOINT to run as built."""
    spec = manifest.run.get(process_type)
    if spec:
        return command_text(spec.command)
    config = engine.images.get(image).attrs["Config"]
    cmd = config.get("Cmd") or []
    if config.get("Entrypoint"):
        return ""
    if not cmd:
        raise UserError(
            f"process type {process_type} has no command: give it one under "
            f"run.{process_type} in heroku.yml or a CMD in its Dockerfile"
        )
    return cmd[2] if cmd[:2] == ["/bin/sh", "-c"] else command_text(cmd)
