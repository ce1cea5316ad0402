"""The sample app, plus /hold: each call keeps N more MB, for watching memory climb to R14
(past the quota) and R15 (past twice it) on the Metrics charts."""

import os

from flask import Flask, request

app = Flask(__name__)
HELD: list[bytes] = []


@app.get("/")
def index():
    return f"Hello from {os.environ.get('DYNO', 'a dyno')}.\n"


@app.get("/hold")
def hold():
    # Filled, not only reserved, so every page is in use.
    HELD.append(b"x" * (int(request.args["mb"]) * 1024 * 1024))
    return f"Holding {sum(map(len, HELD)) >> 20} MB\n"
