"""Releases: a build (or a config change) becomes vN and the app moves to it."""
