"""Apps' networks come from minidyno's own pool, /26 each, skipping whatever the
engine or the host already uses."""

from __future__ import annotations

import itertools
from ipaddress import IPv4Network

import pytest

from minidyno.runtime import subnets
from minidyno.settings import Settings

#: This machine's table: a default route, 192.0.2.0/24 on eth0, 172.17.0.0/16 on docker0.
ROUTES = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
"""


def test_the_host_routes_are_read_and_the_default_route_is_not_a_network():
    assert subnets.host_routes(ROUTES) == [IPv4Network("172.17.0.0/16"), IPv4Network("192.0.2.0/24")]


def test_free_subnets_skip_what_overlaps_and_the_default_pool_holds_a_class_and_more():
    pool = IPv4Network("10.213.0.0/16")
    assert subnets.capacity(pool) == 1024
    taken = [IPv4Network("10.213.0.0/26"), IPv4Network("10.213.0.64/28"), IPv4Network("172.17.0.0/16")]
    first = list(itertools.islice(subnets.free(pool, taken), 2))
    assert first == [IPv4Network("10.213.0.128/26"), IPv4Network("10.213.0.192/26")]
    everything = [IPv4Network("10.0.0.0/8")]
    assert list(subnets.free(pool, everything)) == []


@pytest.mark.parametrize("raw", ["10.213.0.0/25", "10.213.0.1/16", "not-a-network"])
def test_a_pool_that_is_not_a_network_of_slash_24_or_larger_is_refused_in_one_line(raw: str):
    with pytest.raises(SystemExit) as refused:
        Settings.from_env({"MINIDYNO_HOME": "/tmp/x", "MINIDYNO_NETWORK_POOL": raw})
    assert "MINIDYNO_NETWORK_POOL" in str(refused.value) and "\n" not in str(refused.value)
