"""The sample app minidyno deploys in the README's first command."""

import os

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    greeting = os.environ.get("GREETING", "Hello from minidyno")
    return f"{greeting}! This is {os.environ.get('DYNO', 'a dyno')}.\n"


@app.get("/headers")
def headers():
    """What the router added, for seeing X-Request-Id and friends."""
    return jsonify(dict(request.headers))
