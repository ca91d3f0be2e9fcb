"""Fixtures for the Graph client tests: a client on a fake base URL whose sleeps are recorded
instead of slept, `responses` mocking the HTTP layer for what an emulator cannot produce, and a
raw socket server for replies whose bytes matter (framing, cuts)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest
import responses

from reconciler.fetch.auth.bearer import BearerTokenAuth
from reconciler.fetch.client import GraphClient

BASE = "https://graph.test/beta"
TOKEN = "secret-token-value-123"


class Sleeps(list[float]):
    """A `sleep` stand-in: remembers each delay, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(sleeps: Sleeps) -> Iterator[GraphClient]:
    with GraphClient(BASE, auth=BearerTokenAuth(TOKEN), sleep=sleeps, timeout=7.0) as graph:
        yield graph


class _RawReplies(socketserver.BaseRequestHandler):
    """Answers each connection with the next canned bytes, then closes it."""

    replies: list[bytes] = []

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(self.replies.pop(0))
        self.request.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def raw_server() -> Iterator[tuple[str, list[bytes]]]:
    replies: list[bytes] = []
    handler = type("Handler", (_RawReplies,), {"replies": replies})
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/beta", replies
        finally:
            server.shutdown()
            thread.join()
