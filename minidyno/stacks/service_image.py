"""An add-on's server image (`minidyno/postgres:17`, `minidyno/valkey:8`): Debian's
packages on a stack's run image and a script after them, built here (no registry
needed) and rebuilt only when its recipe's hash changes, like the stacks."""

from __future__ import annotations

import hashlib
import io
import tarfile
from dataclasses import dataclass

import docker

from minidyno.progress import Say
from minidyno.settings import Settings
from minidyno.stacks import builder, recipes


@dataclass(frozen=True)
class ServiceImage:
    #: `repository:tag`.
    name: str
    stack: str
    packages: tuple[str, ...]
    #: A shell step run as root after the packages are in.
    install: str
    #: Dockerfile lines (USER, CMD) committed with it.
    changes: tuple[str, ...]
    #: What the build says it is making, for the pusher's screen.
    describe: str

    def recipe_hash(self) -> str:
        stack = recipes.get(self.stack)
        text = "|".join((stack.recipe_hash(stack.run_image), *self.packages, self.install, *self.changes))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def ensure(self, client: docker.DockerClient, settings: Settings, say: Say) -> str:
        """Build it when it is missing or its recipe changed; its name."""
        if self._is_current(client):
            return self.name
        with builder.making(self.name):
            if not self._is_current(client):
                self._build(client, settings, say)
        return self.name

    def _is_current(self, client: docker.DockerClient) -> bool:
        found = client.images.list(name=self.name)
        labels = (found[0].labels or {}) if found else {}
        return labels.get(builder.RECIPE_LABEL) == self.recipe_hash()

    def _build(self, client: docker.DockerClient, settings: Settings, say: Say) -> None:
        stack = recipes.get(self.stack)
        builder.ensure(client, stack, settings, say=say)
        say(f"Building {self.name} ({self.describe} on {stack.run_image}, once)")
        repository, tag = self.name.split(":")
        builder.commit_with_packages(
            client,
            stack.run_image,
            self.packages,
            repository,
            tag,
            self.install,
            say,
            [f"LABEL {builder.RECIPE_LABEL}={self.recipe_hash()}", *self.changes],
        )


def script_file(path: str, text: str) -> str:
    """A shell step that writes `text` to an executable `path`."""
    quoted = "'" + text.replace("'", "'\"'\"'") + "'"
    return f"printf '%s' {quoted} > {path} && chmod 755 {path}"


def file_archive(files: dict[str, bytes]) -> bytes:
    """Files as a tarball for `put_archive` into a container before its first start: a
    server's certificate and key into its TLS directory (its entrypoint makes 0600
    copies of its own user's, which the servers insist on), a quota file into a dyno's
    /tmp. Readable by every user of the container."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
