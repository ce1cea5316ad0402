"""The security tests use the integration tests' real server where a finding needs one
(a router, a dyno); the rest are pure logic and need no Docker."""

from tests.integration.conftest import server  # noqa: F401 - a fixture, used by name
