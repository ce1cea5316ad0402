"""A Pipenv-managed app: `/` says so and by which scheme it was reached; `/dev` whether the
dev packages (pytest) were installed, which `pipenv install --deploy` leaves out. Its
Python version comes from Pipfile.lock."""

import importlib.util

from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def index():
    return f"pipenv app via {request.scheme}\n"


@app.get("/dev")
def dev():
    return f"pytest installed: {importlib.util.find_spec('pytest') is not None}\n"
