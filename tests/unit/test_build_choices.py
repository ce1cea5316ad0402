import io
import tarfile

import pytest

from minidyno.build.detect import refusal
from minidyno.build.source import Source
from minidyno.build.stack_choice import choose, requested_python
from minidyno.stacks.recipes import UnknownStack, for_python


def source_with(files: dict[str, str]) -> Source:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return Source(buf.getvalue(), "abc1234")


def test_source_reads_top_level_files_without_unpacking():
    source = source_with({"Procfile": "web: x\n", "app/main.py": ""})
    assert source.read_text("Procfile") == "web: x\n"
    assert source.read_text("missing.txt") is None
    assert source.names() == {"Procfile", "app/main.py"}


@pytest.mark.parametrize(("files", "stack"), [
    ({"requirements.txt": ""}, "trixie"),
    ({".python-version": "3.11\n"}, "bookworm"),
    ({".python-version": "# pinned\n3.14.0\n"}, "sid"),
    ({"runtime.txt": "python-3.13.1\n"}, "trixie"),
    ({".python-version": "3.11", "runtime.txt": "python-3.13"}, "bookworm"),
])
def test_python_version_picks_the_stack(files, stack):
    assert choose(source_with(files), "trixie").name == stack


def test_unsupported_python_names_the_supported_versions():
    with pytest.raises(UnknownStack, match=r"3.11 \(bookworm\), 3.13 \(trixie\), 3.14 \(sid\)"):
        for_python("3.8")


def test_requested_python_absent():
    assert requested_python(source_with({"requirements.txt": ""})) is None


@pytest.mark.parametrize(("names", "expected"), [
    ({"package.json", "index.js"}, "Node.js (package.json)"),
    ({"Gemfile"}, "Ruby (Gemfile)"),
    ({"go.mod"}, "Go (go.mod)"),
    ({"README.md"}, "no Python app detected"),
])
def test_refusal_names_the_language(names, expected):
    assert expected in refusal(names)
