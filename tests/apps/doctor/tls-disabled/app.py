"""Fails `database-tls`: connects to Postgres with TLS turned off, as to a laptop's."""

import os

import psycopg2
from flask import Flask

app = Flask(__name__)


@app.get("/")
def now() -> str:
    with psycopg2.connect(os.environ["DATABASE_URL"], sslmode="disable") as conn, conn.cursor() as cur:
        cur.execute("SELECT now()")
        return f"{cur.fetchone()[0]}\n"
