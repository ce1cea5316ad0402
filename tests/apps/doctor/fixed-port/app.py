"""Fails `bind`: listens on a fixed port, not $PORT (R10 on Heroku)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
