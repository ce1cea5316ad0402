"""Fails `response`: / takes longer than the router waits (H12 on Heroku). The test's
server waits 5 s (MINIDYNO_ROUTER_TIMEOUT), so 8 s is too slow there, as 31 s would be
on Heroku."""

import time

from flask import Flask

app = Flask(__name__)


@app.get("/")
def slow() -> str:
    time.sleep(8)
    return "Finally\n"
