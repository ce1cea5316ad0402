"""The pre-receive hook: what git runs when a push arrives, before any ref moves.

It takes the pushed commit of main (or master), archives it, and posts it to the
control plane's builds endpoint (tags and other branches in the push are accepted
without a build, and named), printing every line of the build as it comes, so the
pusher sees `remote:` output live. Exiting non-zero rejects the push and leaves the
refs, and so the running release, as they were.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

ZERO = "0" * 40
DEPLOY_BRANCHES = ("refs/heads/main", "refs/heads/master")


def _reject(message: str) -> int:
    print(f" !     {message}", flush=True)
    print(" !     Push rejected.", flush=True)
    return 1


def _stale(old: str, ref: str) -> bool:
    """Whether the ref moved since the pusher looked (another push landed meanwhile):
    git would refuse to move it after the hook, so nothing may be deployed."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "-q", ref], capture_output=True, text=True
    ).stdout.strip()
    return (found or ZERO) != old


def _pushed_commit(lines: list[str]) -> tuple[str | None, str | None]:
    """The new commit of the deploy branch (None when the push has none, as a push of
    only tags or other branches), or an error message. Every other ref is accepted and
    named as skipped, as Heroku does."""
    deploy: str | None = None
    for line in lines:
        _old, new, ref = line.split()
        name = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
        if ref in DEPLOY_BRANCHES and new == ZERO:
            return None, f"deleting {name} is not allowed: it would undeploy the app"
        if ref in DEPLOY_BRANCHES and deploy is None:
            if _stale(_old, ref):
                return None, (
                    f"{name} moved while you pushed (another push landed first): fetch, then push again"
                )
            deploy = new
        elif ref in DEPLOY_BRANCHES:
            print(f"       Skipped {name}: main was pushed too, and main deploys", flush=True)
        elif ref.startswith("refs/tags/"):
            print(f"       Skipped tag {name}: tags do not deploy", flush=True)
        else:
            print(
                f"       Skipped {name}: only main or master deploy (to deploy it: "
                f"git push minidyno {name}:main)",
                flush=True,
            )
    if deploy is None and not lines:
        return None, "nothing was pushed"
    return deploy, None


def main() -> int:
    refs = [ln for ln in sys.stdin.read().splitlines() if ln.strip()]
    # main sorts before master, so a push of both deploys main, as Heroku does.
    refs.sort(key=lambda ln: ln.split()[2] != "refs/heads/main")
    commit, problem = _pushed_commit(refs)
    if problem:
        return _reject(problem)
    if commit is None:
        print("       Pushed to non-main branch, skipping build.", flush=True)
        return 0
    archive = subprocess.run(["git", "archive", "--format=tar", commit], capture_output=True)
    if archive.returncode != 0:
        return _reject(f"could not read the pushed commit: {archive.stderr.decode().strip()}")
    app = os.environ["MINIDYNO_HOOK_APP"]
    request = urllib.request.Request(
        f"{os.environ['MINIDYNO_HOOK_API']}/apps/{app}/builds?commit={commit}",
        data=archive.stdout,
        method="POST",
        headers={
            "Authorization": f"Bearer {os.environ['MINIDYNO_HOOK_TOKEN']}",
            "Content-Type": "application/x-tar",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            for raw in response:
                event = json.loads(raw)
                if "line" in event:
                    print(event["line"], flush=True)
                elif "error" in event:
                    return _reject(event["error"])
                elif event.get("ok"):
                    return 0
    except urllib.error.HTTPError as exc:
        return _reject(_error_text(exc))
    except OSError as exc:
        return _reject(f"the minidyno server did not answer ({exc}); is `minidyno server` running?")
    return _reject("the build ended without a result; see `minidyno logs` and push again")


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        return json.loads(exc.read())["error"]
    except (ValueError, KeyError):
        return f"the server answered {exc.code} {exc.reason}"


if __name__ == "__main__":
    sys.exit(main())
