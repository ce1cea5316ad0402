"""The kept listing: served again only while the engine's events are watched and
nothing changed since it began."""

from __future__ import annotations

from minidyno.runtime.driver import Dyno
from minidyno.runtime.listing import KeptListing

WEB = Dyno(id="c1", app="shop", name="web.1", process_type="web", release=1, running=True)


def counting(found: list[Dyno]):
    calls: list[int] = []

    def list_now() -> list[Dyno]:
        calls.append(1)
        return found

    return list_now, calls


def test_kept_while_watched_and_unchanged_and_listed_again_after_any_change():
    kept = KeptListing()
    list_now, calls = counting([WEB])
    assert kept.get(list_now) == [WEB] and kept.get(list_now) == [WEB]
    assert len(calls) == 2, "never kept while the engine's events are not watched"

    kept.watching(True)
    kept.get(list_now)
    kept.get(list_now)
    assert len(calls) == 3 and kept.fresh()

    with kept.changing():
        pass
    assert not kept.fresh()
    kept.get(list_now)
    assert len(calls) == 4

    kept.watching(False)
    kept.get(list_now)
    assert len(calls) == 5 and not kept.fresh()


def test_a_change_while_listing_makes_that_listing_stale():
    kept = KeptListing()
    kept.watching(True)

    def list_now() -> list[Dyno]:
        kept.changed()  # a dyno started while the engine was answering
        return [WEB]

    kept.get(list_now)
    assert not kept.fresh()
