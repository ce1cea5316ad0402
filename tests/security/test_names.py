"""Finding 8: names were checked with `^…$`, and `$` also matches before a final
newline, so `"name\n"` passed; an app named that way became a catch-all server in
nginx. Every name a user types is now matched whole."""

from __future__ import annotations

import pytest

from minidyno.errors import UserError
from minidyno.naming import check_app_name
from minidyno.release.changes import check_config
from minidyno.runtime.scale import parse_changes
from minidyno.state.domains import HOSTNAME, check_custom


@pytest.mark.parametrize("name", ["web\n", "web\n\n", "web\nx", " web"])
def test_an_app_name_with_a_newline_is_refused(name: str):
    with pytest.raises(UserError, match="invalid app name"):
        check_app_name(name)


def test_a_config_var_name_with_a_newline_is_refused():
    with pytest.raises(UserError, match="invalid config var name"):
        check_config({"GREETING\n": "hi"}, {"GREETING\n": "hi"})


def test_a_scale_argument_with_a_newline_is_refused():
    with pytest.raises(UserError, match="cannot read"):
        parse_changes(["web=2\n"])


def test_a_domain_with_a_newline_does_not_match():
    assert HOSTNAME.fullmatch("www.example.test")
    assert not HOSTNAME.fullmatch("www.example.test\n")


@pytest.mark.parametrize(
    "hostname",
    ["127.0.0.1", "10.1.2.3", "::1", "localhost", "other.localhost", "LOCALHOST.", "x.y.localhost"],
)
def test_domains_add_refuses_ips_localhost_and_other_apps_names(hostname: str):
    """Finding 1: `domains:add 127.0.0.1` put an app's page on the dashboard's site, and
    `domains:add other.localhost` stole another app's traffic."""
    with pytest.raises(UserError):
        check_custom(hostname, "localhost")
    assert check_custom("www.example.test", "localhost") == "www.example.test"
    with pytest.raises(UserError, match="minidyno's own domain"):
        check_custom("shop.dyno.test", "dyno.test")
