"""Fails `filesystem`: keeps its data in SQLite, in the dyno's ephemeral filesystem."""

import sqlite3

from flask import Flask

app = Flask(__name__)


@app.get("/")
def visits() -> str:
    with sqlite3.connect("visits.db") as db:
        db.execute("CREATE TABLE IF NOT EXISTS visits (at TEXT)")
        db.execute("INSERT INTO visits VALUES (datetime('now'))")
        count = db.execute("SELECT count(*) FROM visits").fetchone()[0]
    return f"{count} visits\n"
