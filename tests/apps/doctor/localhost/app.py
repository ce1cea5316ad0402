"""Fails `bind`: listens on $PORT, but on localhost only (R10 on Heroku)."""

import os

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello\n"


if __name__ == "__main__":
    # The app's config vars reach doctor's dyno (the test sets GREETING).
    print("greeting:", os.environ.get("GREETING"), flush=True)
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]))
