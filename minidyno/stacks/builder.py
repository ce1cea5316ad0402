"""Make stack images with no registry: debootstrap a Debian suite into a folder,
`docker import` it as the run image, then add compilers on top for the build image.

Where a registry answers, `MINIDYNO_STACK_SOURCE=pull` starts from the `debian:<suite>`
image instead; it is opt-in because on a closed network a pull only times out.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import docker
from docker.errors import APIError, ImageNotFound

from minidyno.errors import UserError
from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.stacks.recipes import BUILD_PACKAGES, DYNO_UID, RUN_PACKAGES, Stack

RECIPE_LABEL = "minidyno.stack.recipe"
STACK_LABEL = "minidyno.stack"


_IMAGE_CHANGES = [
    "ENV LANG=C.UTF-8",
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    'CMD ["/bin/bash"]',
]


class StackBuildError(UserError):
    status = 500


def is_current(client: docker.DockerClient, image: str, stack: Stack) -> bool:
    try:
        labels = client.images.get(image).labels or {}
    except ImageNotFound:
        return False
    return labels.get(RECIPE_LABEL) == stack.recipe_hash(image)


def ensure(
    client: docker.DockerClient, stack: Stack, settings: Settings, say: Say = print, force: bool = False
) -> None:
    """Build whichever of the stack's two images is missing or out of date; a new run
    image always brings a new build image, so both share one Debian snapshot."""
    with making(stack.run_image):
        _ensure(client, stack, settings, say, force)


def _ensure(client: docker.DockerClient, stack: Stack, settings: Settings, say: Say, force: bool) -> None:
    rebuild_run = force or not is_current(client, stack.run_image, stack)
    if rebuild_run:
        say(f"Building {stack.run_image} (Debian {stack.suite}, Python {stack.python})")
        with _replacing(client, stack.run_image):
            _build_run_image(client, stack, settings, say)
    if rebuild_run or not is_current(client, stack.build_image, stack):
        say(f"Building {stack.build_image} (adds {' '.join(BUILD_PACKAGES)})")
        with _replacing(client, stack.build_image):
            _build_build_image(client, stack, say)


@contextlib.contextmanager
def making(image: str) -> Iterator[None]:
    """One maker at a time for an image of the engine's own (a stack, the Postgres
    image): pushes to two apps on a new machine, or two servers sharing the engine,
    would otherwise each spend a minute on the same image and race to tag it. The
    waiter then finds it current. A lock file per image, machine-wide like the engine;
    the kernel drops it with a maker that died."""
    name = image.replace("/", "-").replace(":", "-")
    path = Path(tempfile.gettempdir()) / f"{name}.lock"
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def _replacing(client: docker.DockerClient, image: str) -> Iterator[None]:
    """Remove the image a rebuild replaced, unless something still uses it (a release
    image made on it, a container)."""
    try:
        old = client.images.get(image).id
    except ImageNotFound:
        old = None
    yield
    if old and old != client.images.get(image).id:
        with contextlib.suppress(APIError):
            client.images.remove(old)


def _labels(stack: Stack, variant: str) -> list[str]:
    image = stack.build_image if variant == "build" else stack.run_image
    return [
        f"LABEL {RECIPE_LABEL}={stack.recipe_hash(image)}",
        f"LABEL {STACK_LABEL}={stack.name}",
        f"LABEL minidyno.stack.variant={variant}",
    ]


def _build_run_image(client: docker.DockerClient, stack: Stack, settings: Settings, say: Say) -> None:
    if settings.stack_source == "pull":
        _run_image_from_pull(client, stack, say)
        return
    if shutil.which("debootstrap") is None:
        raise StackBuildError(
            "debootstrap is not installed; install it (apt-get install debootstrap) or run ./dev up"
        )
    with tempfile.TemporaryDirectory(prefix=f"minidyno-stack-{stack.name}-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        _debootstrap(stack, rootfs, settings.debian_mirror, say)
        _add_dyno_user(rootfs)
        tarball = Path(tmp) / "rootfs.tar"
        subprocess.run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        say(f"Importing {stack.run_image}")
        client.api.import_image_from_file(
            str(tarball),
            repository="minidyno/stack",
            tag=stack.name,
            changes=_IMAGE_CHANGES + _labels(stack, "run"),
        )


def _debootstrap(stack: Stack, rootfs: Path, mirror: str, say: Say) -> None:
    cmd = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(RUN_PACKAGES)}",
        stack.suite,
        str(rootfs),
        mirror,
    ]
    say(f"Running {' '.join(cmd)}")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        raise StackBuildError(
            f"debootstrap of {stack.suite} failed (exit {proc.returncode}): {' | '.join(tail)}"
        )
    for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for entry in (rootfs / junk).glob("*"):
            if entry.is_file():
                entry.unlink()


def _add_dyno_user(rootfs: Path) -> None:
    etc = rootfs / "etc"
    with open(etc / "passwd", "a") as f:
        f.write(f"dyno:x:{DYNO_UID}:{DYNO_UID}:dyno:/app:/bin/bash\n")
    with open(etc / "group", "a") as f:
        f.write(f"dyno:x:{DYNO_UID}:\n")
    app = rootfs / "app"
    app.mkdir(exist_ok=True)
    os.chown(app, DYNO_UID, DYNO_UID)


def _run_image_from_pull(client: docker.DockerClient, stack: Stack, say: Say) -> None:
    say(f"Pulling debian:{stack.suite}")
    client.images.pull("debian", tag=stack.suite)
    script = (
        f"useradd -u {DYNO_UID} -U -d /app -s /bin/bash dyno && mkdir -p /app && "
        f"chown {DYNO_UID}:{DYNO_UID} /app"
    )
    commit_with_packages(
        client,
        f"debian:{stack.suite}",
        RUN_PACKAGES,
        "minidyno/stack",
        stack.name,
        script,
        say,
        _IMAGE_CHANGES + _labels(stack, "run"),
    )


def _build_build_image(client: docker.DockerClient, stack: Stack, say: Say) -> None:
    commit_with_packages(
        client,
        stack.run_image,
        BUILD_PACKAGES,
        "minidyno/stack",
        f"{stack.name}-build",
        "true",
        say,
        _IMAGE_CHANGES + _labels(stack, "build"),
    )


def commit_with_packages(
    client: docker.DockerClient,
    base: str,
    packages: tuple[str, ...],
    repository: str,
    tag: str,
    then: str,
    say: Say,
    changes: list[str],
) -> None:
    """`base` plus Debian packages (and a shell step after them), committed as
    repository:tag; apt's lists are not kept."""
    script = (
        # Mirrors that serve a snapshot of sid carry an expired Release file; the
        # packages are still the ones debootstrap verified, so the date is not checked.
        "set -e; export DEBIAN_FRONTEND=noninteractive; "
        "apt-get update -qq -o Acquire::Check-Valid-Until=false; "
        f"apt-get install -y -qq --no-install-recommends {' '.join(packages)} >/dev/null; "
        f"{then}; apt-get clean; rm -rf /var/lib/apt/lists/*"
    )
    container = client.containers.create(base, ["/bin/sh", "-c", script], user="root")
    try:
        container.start()
        for chunk in container.logs(stream=True, follow=True):
            for line in chunk.decode(errors="replace").splitlines():
                say(f"  {line}")
        status = container.wait()["StatusCode"]
        if status != 0:
            raise StackBuildError(f"installing {' '.join(packages)} on {base} failed (exit {status})")
        container.commit(repository=repository, tag=tag, changes=changes)
    finally:
        container.remove(force=True)
