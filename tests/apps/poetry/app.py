"""A Poetry-managed app: `/` says so and by which scheme it was reached; `/dev` whether the
dev group (pytest) was installed, which `poetry sync --only main` leaves out."""

import importlib.util

from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def index():
    return f"poetry app via {request.scheme}\n"


@app.get("/dev")
def dev():
    return f"pytest installed: {importlib.util.find_spec('pytest') is not None}\n"
