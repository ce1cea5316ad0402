"""The pushed source as git archived it: a tarball, read without unpacking it."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Source:
    tarball: bytes
    commit: str

    @cached_property
    def _files(self) -> dict[str, bytes | None]:
        """Every path, with the contents of regular files (None for folders and links),
        read once. An empty commit has none (git archives an empty tree as a tarball
        Python cannot open)."""
        try:
            with tarfile.open(fileobj=io.BytesIO(self.tarball)) as tar:
                return {
                    m.name.removeprefix("./"): tar.extractfile(m).read() if m.isfile() else None
                    for m in tar.getmembers()
                }
        except tarfile.ReadError:
            return {}

    def names(self) -> set[str]:
        return set(self._files)

    def size(self) -> int:
        """Bytes of every regular file: what the source adds to the slug."""
        return sum(len(data) for data in self._files.values() if data is not None)

    def read_text(self, name: str) -> str | None:
        """A regular file's text, or None when it is absent (or a link or a folder)."""
        data = self._files.get(name)
        return data.decode("utf-8", errors="replace") if data is not None else None

    def unpack(self, folder: Path) -> list[str]:
        """Write the tree into `folder` (for a Docker build context); links that would
        point outside it are left out, and their names returned."""
        left_out: list[str] = []

        def inside(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
            try:
                return tarfile.data_filter(member, path)
            except tarfile.FilterError:
                left_out.append(member.name.removeprefix("./"))
                return None

        with tarfile.open(fileobj=io.BytesIO(self.tarball)) as tar:
            tar.extractall(folder, filter=inside)
        return left_out
