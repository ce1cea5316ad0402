"""Fails `memory`: holds 640 MB, past the 512 MB quota (R14 on Heroku)."""

import os
from http.server import BaseHTTPRequestHandler, HTTPServer

# Filled, not only reserved, so every page is in use.
HOG = b"x" * (640 * 1024 * 1024)


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"Holding {len(HOG) >> 20} MB\n".encode())


if __name__ == "__main__":
    HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Hello).serve_forever()
