"""The pushed source as git archived it: a tarball, read without unpacking it."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    tarball: bytes
    commit: str

    def names(self) -> set[str]:
        """Every path in the commit; none for an empty commit (git archives an empty
        tree as a tarball Python cannot open)."""
        try:
            with tarfile.open(fileobj=io.BytesIO(self.tarball)) as tar:
                return {m.name.removeprefix("./") for m in tar.getmembers()}
        except tarfile.ReadError:
            return set()

    def read_text(self, name: str) -> str | None:
        """A top-level file's text, or None when it is absent."""
        if not self.names():
            return None
        with tarfile.open(fileobj=io.BytesIO(self.tarball)) as tar:
            for candidate in (name, f"./{name}"):
                try:
                    member = tar.getmember(candidate)
                except KeyError:
                    continue
                f = tar.extractfile(member)
                return f.read().decode("utf-8", errors="replace") if f else None
        return None
