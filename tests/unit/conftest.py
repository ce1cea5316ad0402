from tests.unit.dyno_fixture import manager

__all__ = ["manager"]
