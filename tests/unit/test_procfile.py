import pytest

from minidyno.procfile import WARNING, InvalidProcfile, check, parse


def test_parses_every_process_type_in_order():
    text = "web: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: python worker.py\nclock_2-x: run\n"
    assert parse(text)[0] == {
        "web": "gunicorn app:app --bind 0.0.0.0:$PORT",
        "worker": "python worker.py",
        "clock_2-x": "run",
    }


def test_comments_and_blank_lines_are_accepted():
    assert parse("# comment\n\nweb: python app.py\n") == ({"web": "python app.py"}, [])


def test_each_problem_names_its_line():
    found = check("web: a\nweb: b\nrun: x\nbad name: y\nfoo:\njust text\n")
    assert [(p.line, p.message.split(" ")[0]) for p in found] == [
        (2, "duplicate"),
        (3, "`run`"),
        (4, "invalid"),
        (5, "process"),
        (6, "expected"),
    ]
    assert str(found[0]) == "Procfile line 2: duplicate process type 'web' (first on line 1)"


def test_empty_procfile_is_an_error():
    with pytest.raises(InvalidProcfile, match="declares no process types"):
        parse("# nothing here\n")


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        ("gunicorn app:app -b 0.0.0.0:8000", "gunicorn binds 0.0.0.0:8000, not $PORT"),
        ("flask run", "`flask run` listens on 5000"),
        ("flask run --port $PORT", "listens on 127.0.0.1 only"),
        ("python -m http.server", "`python -m http.server` listens on 8000"),
        ("uvicorn main:app", "uvicorn listens on 8000"),
    ],
)
def test_web_commands_that_cannot_bind_port(command, fragment):
    (problem,) = check(f"web: {command}\n")
    assert problem.line == 1 and fragment in problem.message


@pytest.mark.parametrize(
    "command",
    [
        "gunicorn app:app --bind 0.0.0.0:$PORT",
        "gunicorn app:app",
        "flask run --host 0.0.0.0 --port $PORT",
        "python -m http.server $PORT",
        "uvicorn main:app --host 0.0.0.0 --port ${PORT}",
    ],
)
def test_web_commands_that_bind_port(command):
    assert check(f"web: {command}\n") == []


def test_crlf_is_an_error_with_its_line():
    found = check("web: gunicorn app:app\r\nworker: python w.py\r\n")
    assert [(p.line, p.message[:4]) for p in found] == [(1, "CRLF"), (2, "CRLF")]


def test_no_web_in_a_web_app_is_a_warning():
    (warning,) = check("worker: python w.py\n", looks_like_web_app=True)
    assert warning.severity == WARNING and "no `web` process type" in warning.message
    assert parse("worker: python w.py\n", True)[0] == {"worker": "python w.py"}
