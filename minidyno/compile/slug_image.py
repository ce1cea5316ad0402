"""Put a compiled build dir on the run stack and commit it as the slug's image, in two
layers: the dependencies (shared by every release until they change) and the app's
own files.

A code-only push then copies and commits only the app's files, and the image never
holds the compilers, caches or CA bundle the build container had.
"""

from __future__ import annotations

import docker
from docker.errors import ImageNotFound

from minidyno import labels
from minidyno.compile.buildpack import DEPENDENCY_LAYER, BuildDir
from minidyno.settings import Settings
from minidyno.stacks.recipes import Stack


def commit(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    version: int,
    stack: Stack,
    compiled: BuildDir,
) -> str:
    base = stack.run_image
    if compiled.dependencies_id:
        base = _dependencies_image(engine, settings, app, stack, compiled)
    repository, tag = labels.image_repository(settings, app), f"v{version}"
    _commit_layer(
        engine,
        settings,
        app,
        base,
        "/",
        compiled.app_tarball,
        repository,
        tag,
        labels.for_resource(settings, app, "release", release=version),
        ["WORKDIR /app", "ENV HOME=/app"],
    )
    return f"{repository}:{tag}"


def _dependencies_image(
    engine: docker.DockerClient, settings: Settings, app: str, stack: Stack, compiled: BuildDir
) -> str:
    repository = labels.image_repository(settings, app)
    tag = f"deps-{stack.name}-{compiled.dependencies_id}"
    try:
        engine.images.get(f"{repository}:{tag}")
    except ImageNotFound:
        layer, _ = compiled.container.get_archive(f"/app/{DEPENDENCY_LAYER}")
        _commit_layer(
            engine,
            settings,
            app,
            stack.run_image,
            "/app",
            layer,
            repository,
            tag,
            labels.for_resource(settings, app, "dependencies"),
            [],
        )
    return f"{repository}:{tag}"


def _commit_layer(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    base: str,
    path: str,
    tarball,
    repository: str,
    tag: str,
    image_labels: dict[str, str],
    changes: list[str],
) -> None:
    holder = engine.containers.create(base, ["true"], labels=labels.for_resource(settings, app, "slug"))
    try:
        holder.put_archive(path, tarball)
        holder.commit(
            repository=repository,
            tag=tag,
            changes=[*changes, *(f'LABEL {key}="{value}"' for key, value in image_labels.items())],
        )
    finally:
        holder.remove(force=True)
