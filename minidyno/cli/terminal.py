"""The client end of an interactive one-off dyno: the local terminal in raw mode,
bridged to the dyno's TTY over the API's WebSocket, so keys (Ctrl-C included) reach
the dyno as typed and its exit status becomes ours."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import termios
import threading
import tty
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from minidyno.cli.client import Client


def attach(client: Client, app: str, command: str) -> int:
    size = shutil.get_terminal_size()
    query = urlencode({"command": command, "rows": size.lines, "cols": size.columns})
    url = f"{client.base_url.replace('http', 'ws', 1)}/apps/{app}/dynos/tty?{query}"
    stdin = sys.stdin.fileno()
    saved = termios.tcgetattr(stdin)
    with connect(url, additional_headers={"Authorization": f"Bearer {client.token()}"}, max_size=None) as ws:
        tty.setraw(stdin)
        try:
            signal.signal(signal.SIGWINCH, lambda *_: _send_size(ws))
            threading.Thread(target=_keys, args=(ws, stdin), daemon=True).start()
            return _screen(ws)
        finally:
            termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
            signal.signal(signal.SIGWINCH, signal.SIG_DFL)


def _send_size(ws) -> None:
    size = shutil.get_terminal_size()
    with contextlib.suppress(ConnectionClosed):
        ws.send(json.dumps({"resize": [size.lines, size.columns]}))


def _keys(ws, stdin: int) -> None:
    with contextlib.suppress(ConnectionClosed, OSError):
        while data := os.read(stdin, 4096):
            ws.send(data)


def _screen(ws) -> int:
    out = sys.stdout.buffer
    try:
        for message in ws:
            if isinstance(message, bytes):
                out.write(message)
                out.flush()
                continue
            event = json.loads(message)
            if "exit" in event:
                return int(event["exit"])
            if "error" in event:
                out.write(f"\r\n{event['error']}\r\n".encode())
                return 1
    except ConnectionClosed:
        pass
    return 1
