"""The router's error pages, Heroku's codes with a line on what to do, rendered from
one template: nginx answers them inline and the activator renders them itself."""

from __future__ import annotations

import html

from minidyno.router.access_log import ERRORS

#: Page name -> (heading, what happened and what to do).
PAGES = {
    "no-such-app": (
        "No such app",
        "There is no app at this address. <code>minidyno apps</code> "
        "lists the apps; <code>minidyno apps:create NAME</code> makes one.",
    ),
    "h10": (
        "Application error",
        "The app's web dynos have crashed. Check <code>minidyno "
        "logs</code> for why; they are restarted on a growing schedule.",
    ),
    "h12": (
        "Application error",
        "The app did not answer within 30 seconds. Check <code>minidyno logs</code> for what it was doing.",
    ),
    "h13": (
        "Application error",
        "The app's dyno closed the connection without a response, or "
        "could not be reached. Check <code>minidyno logs</code> for what it said.",
    ),
    "h14": (
        "Application error",
        "This app has no web dynos running. Scale one up with "
        "<code>minidyno ps:scale web=1</code>, or push a Procfile with a <code>web</code> "
        "process.",
    ),
    "h20": (
        "Application error",
        "The app did not start within 75 seconds. Check "
        "<code>minidyno logs</code> for what it printed while booting.",
    ),
    "h82": (
        "Application error",
        "This app's account has used all its eco dyno hours this month, so its eco apps "
        "sleep until the month turns. Raise the pool (<code>MINIDYNO_ECO_HOURS</code>, or "
        "the dashboard), or make this app basic with <code>minidyno ps:type basic</code>.",
    ),
    "h80": (
        "Offline for maintenance",
        "This app is in maintenance mode and will be back "
        "shortly. Its owner can turn this off with <code>minidyno maintenance:off</code>.",
    ),
}

_TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<style>body{{font:18px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}}
code{{background:#eee;padding:.1em .3em}}</style></head>
<body>
<h1>{title}</h1>
<p>{text}</p>
<p><small>minidyno router{code}</small></p>
</body>
</html>
"""


def render(name: str) -> str:
    title, text = PAGES[name]
    code = name.upper()
    footer = f" · error code {code} ({ERRORS[code]})" if code in ERRORS else ""
    return _TEMPLATE.format(title=html.escape(title), text=text, code=footer)
