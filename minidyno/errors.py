"""Errors a user can act on. Each message is one line that says what went wrong and
what to do; the API turns them into 4xx answers and the CLI prints them as they are."""

from __future__ import annotations


class UserError(Exception):
    status = 400


class NotFound(UserError):
    status = 404


class Conflict(UserError):
    status = 409
