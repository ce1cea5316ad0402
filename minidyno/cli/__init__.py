"""The `minidyno` command: a thin client of the HTTP API, with Heroku's verbs."""
