"""Findings 9 and 12: `USER 00` in a Dockerfile ran the dyno as root (the check compared
strings with "0"), and dynos had no CPU limit. The CPU limit is checked on a real dyno
in tests/integration/test_push.py."""

from __future__ import annotations

import pytest

from minidyno.runtime.dynos import _is_root
from minidyno.settings import Settings


@pytest.mark.parametrize("user", ["", "root", "0", "00", "000", "+0"])
def test_every_spelling_of_root_is_root(user: str):
    assert _is_root(user)


@pytest.mark.parametrize("user", ["1000", "app", "nobody", "65534"])
def test_other_users_are_kept(user: str):
    assert not _is_root(user)


def test_the_dyno_cpu_limit_is_a_setting(tmp_path):
    assert Settings.from_env({"MINIDYNO_HOME": str(tmp_path)}).dyno_cpus == 1.0
    assert Settings.from_env({"MINIDYNO_HOME": str(tmp_path), "MINIDYNO_DYNO_CPUS": "0.5"}).dyno_cpus == 0.5
    with pytest.raises(SystemExit, match="MINIDYNO_DYNO_CPUS"):
        Settings.from_env({"MINIDYNO_HOME": str(tmp_path), "MINIDYNO_DYNO_CPUS": "-1"})
