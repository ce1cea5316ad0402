import base64

from minidyno.git.hook import ZERO, _pushed_commit
from minidyno.web.auth import ensure_token, presented_token


def test_token_is_made_once_with_mode_0600(tmp_path):
    path = tmp_path / "home" / "token"
    token = ensure_token(path)
    assert len(token) >= 40
    assert path.stat().st_mode & 0o777 == 0o600
    assert ensure_token(path) == token


def test_token_from_bearer_or_basic_with_any_user():
    assert presented_token("Bearer abc") == "abc"
    basic = base64.b64encode(b"anyone:s3cret").decode()
    assert presented_token(f"Basic {basic}") == "s3cret"
    assert presented_token("Basic !!!") is None
    assert presented_token("") is None


def test_hook_deploys_main_or_master_only(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no repo, so no ref has moved
    sha = "a" * 40
    assert _pushed_commit([f"{ZERO} {sha} refs/heads/main"]) == (sha, None)
    assert _pushed_commit([f"{ZERO} {sha} refs/heads/master"]) == (sha, None)
    assert _pushed_commit([f"{ZERO} {sha} refs/heads/feature"]) == (None, None)
    assert "git push minidyno feature:main" in capsys.readouterr().out
    commit, problem = _pushed_commit([f"{sha} {ZERO} refs/heads/main"])
    assert commit is None and "not allowed" in problem
