from pathlib import Path

import pytest

from minidyno.naming import APP_NAME, InvalidName, check_app_name, random_app_name
from minidyno.settings import Settings


@pytest.mark.parametrize("name", ["ab", "my-app", "a1", "x" * 30])
def test_valid_app_names(name):
    assert check_app_name(name) == name


@pytest.mark.parametrize("name", ["a", "1app", "My-App", "app_1", "x" * 31, "-app", ""])
def test_invalid_app_names_say_what_works(name):
    with pytest.raises(InvalidName, match="lowercase letters, digits and dashes"):
        check_app_name(name)


def test_random_names_are_valid_and_varied():
    names = {random_app_name() for _ in range(20)}
    assert all(APP_NAME.match(n) for n in names)
    assert len(names) > 1


def test_settings_defaults_match_the_design(tmp_path: Path):
    s = Settings.from_env({"HOME": str(tmp_path)})
    assert (s.api_port, s.router_port, s.idle_timeout, s.domain, s.bind) == (
        5100,
        8080,
        1800,
        "localhost",
        "127.0.0.1",
    )
    assert s.router_tls_port == 8443
    assert s.app_url("demo") == "https://demo.localhost:8443/"
    assert s.dashboard_url == "https://localhost:8443/"
    assert s.git_url("demo") == "http://127.0.0.1:5100/git/demo.git"


def test_settings_from_environment_and_a_clear_error_for_bad_ports(tmp_path: Path):
    s = Settings.from_env(
        {
            "MINIDYNO_HOME": str(tmp_path),
            "MINIDYNO_ROUTER_PORT": "80",
            "MINIDYNO_ROUTER_TLS_PORT": "443",
            "MINIDYNO_DOMAIN": "dyno.test",
        }
    )
    assert s.home == tmp_path.resolve()
    assert s.app_url("demo") == "https://demo.dyno.test/"
    off = Settings.from_env({"MINIDYNO_HOME": str(tmp_path), "MINIDYNO_ROUTER_TLS_PORT": "0"})
    assert off.app_url("demo") == "http://demo.localhost:8080/"
    assert off.dashboard_url == "http://127.0.0.1:5100/"
    with pytest.raises(SystemExit, match="MINIDYNO_API_PORT='x' is not a whole number"):
        Settings.from_env({"MINIDYNO_HOME": str(tmp_path), "MINIDYNO_API_PORT": "x"})


def test_dynos_cycle_daily_unless_told_and_a_clear_error_for_a_period_that_is_not_positive(tmp_path: Path):
    home = {"MINIDYNO_HOME": str(tmp_path)}
    assert Settings.from_env(home).dyno_cycle == 86400
    assert Settings.from_env({**home, "MINIDYNO_DYNO_CYCLE": "120"}).dyno_cycle == 120
    for bad in ("0", "-5", "2h"):
        with pytest.raises(SystemExit, match=f"MINIDYNO_DYNO_CYCLE='{bad}' is not a"):
            Settings.from_env({**home, "MINIDYNO_DYNO_CYCLE": bad})


def test_two_homes_get_different_docker_name_prefixes(tmp_path: Path):
    a = Settings.from_env({"MINIDYNO_HOME": str(tmp_path / "a")})
    b = Settings.from_env({"MINIDYNO_HOME": str(tmp_path / "b")})
    assert a.home_id != b.home_id
