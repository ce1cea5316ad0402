"""Finding 17: the pre-receive hook read only the first ref of a push, so a push that
also carried a tag or another branch was refused or half-handled. It now deploys main
(or master) wherever it is in the push and names what it skipped."""

from __future__ import annotations

from minidyno.git.hook import ZERO, _pushed_commit

A, B = "a" * 40, "b" * 40


def test_main_is_found_after_a_tag():
    commit, problem = _pushed_commit([f"{ZERO} {A} refs/tags/v1", f"{ZERO} {B} refs/heads/main"])
    assert (commit, problem) == (B, None)


def test_only_other_refs_deploy_nothing_and_refuse_nothing():
    assert _pushed_commit([f"{ZERO} {A} refs/heads/feature"]) == (None, None)


def test_deleting_main_is_refused_wherever_it_is():
    commit, problem = _pushed_commit([f"{ZERO} {A} refs/heads/x", f"{A} {ZERO} refs/heads/main"])
    assert commit is None and "undeploy" in problem
