"""Add-ons: a Postgres database per app, attached through its config vars."""
