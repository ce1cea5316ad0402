"""Fails `database-url`: hands Heroku's postgres:// DATABASE_URL to SQLAlchemy as it is."""

import os

from flask import Flask
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["DATABASE_URL"])
app = Flask(__name__)


@app.get("/")
def now() -> str:
    with engine.connect() as conn:
        return f"{conn.execute(text('SELECT now()')).scalar()}\n"
