"""Put a compiled /app on the run stack and commit it as the release image.

The slug streams from the build container to a container of the run stack, so the
image holds Python and the app but none of the compilers, caches or the host's CA
bundle the build used.
"""

from __future__ import annotations

import docker
from docker.models.containers import Container

from minidyno import labels
from minidyno.settings import Settings
from minidyno.stacks.recipes import Stack


def commit(
    engine: docker.DockerClient,
    settings: Settings,
    app: str,
    version: int,
    stack: Stack,
    build: Container,
) -> str:
    repository, tag = labels.image_repository(settings, app), f"v{version}"
    slug, _ = build.get_archive("/app")
    holder = engine.containers.create(
        stack.run_image, ["true"], labels=labels.for_resource(settings, app, "slug")
    )
    try:
        holder.put_archive("/", slug)
        resource_labels = labels.for_resource(settings, app, "release", release=version)
        holder.commit(
            repository=repository,
            tag=tag,
            changes=[
                "WORKDIR /app",
                "ENV HOME=/app",
                *(f'LABEL {key}="{value}"' for key, value in resource_labels.items()),
            ],
        )
    finally:
        holder.remove(force=True)
    return f"{repository}:{tag}"
