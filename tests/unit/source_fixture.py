"""A pushed source made in memory: a tarball of the files given, as git archives one."""

import io
import tarfile

from minidyno.compile.source import Source


def source_with(files: dict[str, str]) -> Source:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return Source(buf.getvalue(), "abc1234")
