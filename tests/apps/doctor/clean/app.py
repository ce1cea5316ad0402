"""Passes every doctor check: binds 0.0.0.0:$PORT, answers at once, writes nothing."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello from a dyno\n"
