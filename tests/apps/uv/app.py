"""A uv-managed app: `/` says so and by which scheme it was reached; `/dev` whether the
dev group (pytest) was installed, which `uv sync --no-default-groups` leaves out."""

import importlib.util

from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def index():
    return f"uv app via {request.scheme}\n"


@app.get("/dev")
def dev():
    return f"pytest installed: {importlib.util.find_spec('pytest') is not None}\n"
