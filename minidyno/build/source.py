"""The pushed source as git archived it: a tarball, read without unpacking it."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Source:
    tarball: bytes
    commit: str

    @cached_property
    def _files(self) -> dict[str, bytes | None]:
        """Top-level and nested paths with the contents of regular files, read once.
        An empty commit has none (git archives an empty tree as a tarball Python cannot
        open)."""
        try:
            with tarfile.open(fileobj=io.BytesIO(self.tarball)) as tar:
                return {m.name.removeprefix("./"): (f.read() if (f := tar.extractfile(m)) else None)
                        for m in tar.getmembers()}
        except tarfile.ReadError:
            return {}

    def names(self) -> set[str]:
        return set(self._files)

    def read_text(self, name: str) -> str | None:
        """A file's text, or None when it is absent."""
        data = self._files.get(name)
        return data.decode("utf-8", errors="replace") if data is not None else None
