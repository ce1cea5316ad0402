import pytest

from minidyno.compile import pipeline
from minidyno.compile.detect import refusal
from minidyno.compile.stack_choice import DEFAULT_PYTHON, PythonRequest, choose, requested_python
from minidyno.errors import UserError
from minidyno.settings import Settings
from minidyno.stacks.recipes import UnknownStack, for_python
from tests.unit.source_fixture import source_with


def test_source_reads_top_level_files_without_unpacking():
    source = source_with({"Procfile": "web: x\n", "app/main.py": ""})
    assert source.read_text("Procfile") == "web: x\n"
    assert source.read_text("missing.txt") is None
    assert source.names() == {"Procfile", "app/main.py"}


@pytest.mark.parametrize(
    ("files", "stack", "origin"),
    [
        ({"requirements.txt": ""}, "sid", "default"),
        ({".python-version": "3.11\n"}, "bookworm", ".python-version"),
        ({".python-version": "# pinned\n\n  3.14.0  \n"}, "sid", ".python-version"),
        ({"runtime.txt": "python-3.13.1\n"}, "trixie", "runtime.txt"),
        ({".python-version": "3.11", "runtime.txt": "python-3.13"}, "trixie", "runtime.txt"),
        ({"Pipfile.lock": '{"_meta": {"requires": {"python_version": "3.11"}}}'}, "bookworm", "Pipfile.lock"),
    ],
)
def test_python_version_picks_the_stack(files, stack, origin):
    chosen, request = choose(source_with(files))
    assert (chosen.name, request.origin) == (stack, origin)


def test_no_version_keeps_the_last_builds_major():
    chosen, request = choose(source_with({"requirements.txt": ""}), last_build="3.13")
    assert (chosen.name, request) == ("trixie", PythonRequest("3.13", "cached"))


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"python-version": "3.13"}, r"spelled incorrectly \('python-version'\)"),
        ({".python_version": "3.13"}, "spelled incorrectly"),
        ({".python-version": "3.13\n3.14\n"}, "multiple Python versions"),
        ({".python-version": "# only a comment\n"}, "no Python version found"),
        ({".python-version": "3.x"}, "invalid Python version '3.x'"),
        ({".python-version": "3.8"}, r"supported versions are 3.11 \(bookworm\)"),
        ({"runtime.txt": "python3.13"}, "runtime.txt is deprecated"),
    ],
)
def test_bad_python_versions_get_one_line_errors(files, message):
    with pytest.raises(UserError, match=message) as raised:
        choose(source_with(files))
    assert "\n" not in str(raised.value)


def test_unsupported_python_names_the_supported_versions():
    with pytest.raises(UnknownStack, match=r"3.11 \(bookworm\), 3.13 \(trixie\), 3.14 \(sid\)"):
        for_python("3.8")


def test_requested_python_absent_is_herokus_default():
    assert requested_python(source_with({"requirements.txt": ""})) == PythonRequest(DEFAULT_PYTHON, "default")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"package.json", "index.js"}, "Node.js (package.json)"),
        ({"Gemfile"}, "Ruby (Gemfile)"),
        ({"go.mod"}, "Go (go.mod)"),
        ({"README.md"}, "no Python app detected"),
    ],
)
def test_refusal_names_the_language(names, expected):
    assert expected in refusal(names)


class Untouchable:
    """An engine that fails the test when anything of it is used."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the engine was used ({name}) before the buildpack detected the app")


def test_a_push_the_buildpack_does_not_detect_is_refused_before_any_image_is_made():
    said: list[str] = []
    with pytest.raises(UserError, match=r"Node.js \(package.json\)"):
        pipeline.run(
            Untouchable(),
            Settings.from_env({"MINIDYNO_HOME": "/nonexistent"}),
            "nodeapp",
            1,
            source_with({"package.json": "{}\n", "index.js": ""}),
            {},
            None,
            None,
            said.append,
        )
    assert any("No Python app detected: looked for requirements.txt" in line for line in said)
