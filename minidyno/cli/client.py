"""The HTTP client every CLI verb uses: finds the API and its token from
MINIDYNO_HOME (or MINIDYNO_API_URL / MINIDYNO_API_TOKEN), and turns API errors into
the one-line message the server wrote."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import httpx

from minidyno.settings import Settings


class Client:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.client_api_url or settings.api_url
        self._http = httpx.Client(base_url=self.base_url, timeout=httpx.Timeout(30, read=None))

    def token(self) -> str:
        if self.settings.client_token:
            return self.settings.client_token
        try:
            return self.settings.token_path.read_text().strip()
        except FileNotFoundError:
            raise click.ClickException(
                f"no API token at {self.settings.token_path}: start `minidyno server` first, "
                "or set MINIDYNO_HOME / MINIDYNO_API_TOKEN"
            ) from None

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, headers=self._auth(), **kwargs)
        except httpx.TransportError:
            raise self._unreachable() from None
        _raise_for_error(response)
        return response.json()

    def stream_events(self, method: str, path: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """The NDJSON events of a streaming endpoint, as they arrive."""
        try:
            with self._http.stream(method, path, headers=self._auth(), **kwargs) as response:
                if response.is_error:
                    response.read()
                    _raise_for_error(response)
                for line in response.iter_lines():
                    if line.strip():
                        yield json.loads(line)
        except httpx.TransportError:
            raise self._unreachable() from None

    @contextmanager
    def stream_text(self, path: str, **kwargs: Any) -> Iterator[Iterator[str]]:
        """The text of a streaming endpoint, chunk by chunk as it arrives (whole lines:
        the server sends nothing else)."""
        with self._get_stream(path, **kwargs) as response:
            yield response.iter_text()

    @contextmanager
    def stream_bytes(self, path: str, **kwargs: Any) -> Iterator[Iterator[bytes]]:
        with self._get_stream(path, **kwargs) as response:
            yield response.iter_bytes()

    @contextmanager
    def _get_stream(self, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        try:
            with self._http.stream("GET", path, headers=self._auth(), **kwargs) as response:
                if response.is_error:
                    response.read()
                    _raise_for_error(response)
                yield response
        except httpx.TransportError:
            raise self._unreachable() from None

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def _unreachable(self) -> click.ClickException:
        return click.ClickException(
            f"cannot reach the minidyno API at {self.base_url}: is `minidyno server` running?"
        )


def _raise_for_error(response: httpx.Response) -> None:
    if not response.is_error:
        return
    try:
        body = response.json()
        message = body.get("error") or body.get("detail")
    except ValueError:
        message = None
    if not isinstance(message, str):
        message = f"the API answered {response.status_code}: {response.text[:200]}"
    raise click.ClickException(message)
