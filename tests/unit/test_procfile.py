import pytest

from minidyno.procfile import InvalidProcfile, parse, problems


def test_parses_every_process_type_in_order():
    text = "web: gunicorn app:app --bind 0.0.0.0:$PORT\nworker: python worker.py\nclock_2-x: run\n"
    assert parse(text) == {
        "web": "gunicorn app:app --bind 0.0.0.0:$PORT",
        "worker": "python worker.py",
        "clock_2-x": "run",
    }


def test_comments_blank_lines_and_crlf_are_accepted():
    assert parse("# comment\r\n\r\nweb: python app.py\r\n") == {"web": "python app.py"}


def test_each_problem_names_its_line():
    found = problems("web: a\nweb: b\nrun: x\nbad name: y\nfoo:\njust text\n")
    assert [(p.line, p.message.split(" ")[0]) for p in found] == [
        (2, "duplicate"), (3, "`run`"), (4, "invalid"), (5, "process"), (6, "expected"),
    ]
    assert str(found[0]) == "Procfile line 2: duplicate process type 'web' (first on line 1)"


def test_empty_procfile_is_an_error():
    with pytest.raises(InvalidProcfile, match="declares no process types"):
        parse("# nothing here\n")
