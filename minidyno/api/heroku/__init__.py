"""Heroku's Platform API v3, so the official `heroku` CLI (and anything else written for
Heroku's API) drives minidyno unchanged: `HEROKU_HOST=http://127.0.0.1:5100`.

It is served on minidyno's own port and paths, told apart by what Heroku's clients send
with every request, `Accept: application/vnd.heroku+json; version=3`; the log sessions'
streams (which the CLI reads as Server-Sent Events) by their path. Every resource is a
view of the same state and services as minidyno's own API: one model, two shapes.
"""
