"""Finding 17: the pre-receive hook read only the first ref of a push, so a push that
also carried a tag or another branch was refused or half-handled. It now deploys main
(or master) wherever it is in the push and names what it skipped."""

from __future__ import annotations

import subprocess

import pytest

from minidyno.git.hook import ZERO, _pushed_commit

A, B = "a" * 40, "b" * 40


@pytest.fixture(autouse=True)
def empty_repo(tmp_path, monkeypatch):
    """The hook runs in the app's bare repo; here one without any ref yet."""
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)


def test_main_is_found_after_a_tag():
    commit, problem = _pushed_commit([f"{ZERO} {A} refs/tags/v1", f"{ZERO} {B} refs/heads/main"])
    assert (commit, problem) == (B, None)


def test_only_other_refs_deploy_nothing_and_refuse_nothing():
    assert _pushed_commit([f"{ZERO} {A} refs/heads/feature"]) == (None, None)


def test_deleting_main_is_refused_wherever_it_is():
    commit, problem = _pushed_commit([f"{ZERO} {A} refs/heads/x", f"{A} {ZERO} refs/heads/main"])
    assert commit is None and "undeploy" in problem


def test_a_push_made_before_another_landed_is_refused_before_any_build(tmp_path):
    tree = (
        subprocess.run(
            ["git", "hash-object", "-t", "tree", "-w", "--stdin"], input=b"", capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    landed = (
        subprocess.run(
            ["git", "commit-tree", tree, "-m", "landed"],
            capture_output=True,
            check=True,
            env={
                "GIT_AUTHOR_NAME": "a",
                "GIT_AUTHOR_EMAIL": "a@b",
                "GIT_COMMITTER_NAME": "a",
                "GIT_COMMITTER_EMAIL": "a@b",
            },
        )
        .stdout.decode()
        .strip()
    )
    subprocess.run(["git", "update-ref", "refs/heads/main", landed], check=True)
    commit, problem = _pushed_commit([f"{ZERO} {B} refs/heads/main"])
    assert commit is None and "moved while you pushed" in problem
    assert _pushed_commit([f"{landed} {B} refs/heads/main"]) == (B, None)
