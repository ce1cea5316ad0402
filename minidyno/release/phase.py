"""The release phase: the Procfile's `release:` command, run once per new release in a
one-off container of that release, before any dyno moves to it. A non-zero exit or a
timeout fails the release, and the running release keeps serving."""

from __future__ import annotations

from minidyno.errors import UserError
from minidyno.lines import LineSplitter
from minidyno.logs.bus import LogBus
from minidyno.progress import Say
from minidyno.runtime.driver import DynoDriver, TimedOut
from minidyno.state.releases import Release

DYNO = "release.1"


class ReleasePhaseFailed(UserError):
    pass


def run(driver: DynoDriver, logs: LogBus | None, release: Release, timeout: float, say: Say) -> None:
    """`logs`: the app's log, which a rehearsal (`minidyno doctor`'s) has none of."""
    command = release.processes["release"]
    say(f"-----> Running release command: {command}")
    if logs:
        logs.platform(release.app, DYNO, f"Starting process with command `{command}`")

    def relay(text: str) -> None:
        say(f"       {text}")
        if logs:
            logs.emit(release.app, "app", DYNO, text)

    splitter = LineSplitter(relay)
    try:
        code = driver.run(release, DYNO, command, splitter.feed, timeout=timeout)
    except TimedOut:
        raise ReleasePhaseFailed(
            f"the release command ran longer than {timeout} s and was stopped; v{release.version} "
            "was not released (set MINIDYNO_RELEASE_TIMEOUT to allow longer)"
        ) from None
    finally:
        splitter.close()
    if logs:
        logs.platform(release.app, DYNO, f"Process exited with status {code}")
    if code != 0:
        raise ReleasePhaseFailed(
            f"the release command exited with status {code}; v{release.version} was not "
            "released and the running release keeps serving"
        )
