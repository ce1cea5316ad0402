from tests.unit.api_fixture import api
from tests.unit.dyno_fixture import manager

__all__ = ["api", "manager"]
