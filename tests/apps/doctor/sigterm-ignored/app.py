"""Fails `sigterm`: ignores SIGTERM, so it is killed with SIGKILL (R12 on Heroku)."""

import os
import signal
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello\n")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Hello).serve_forever()
