"""Fixtures for the Graph client tests: a client on a fake base URL whose sleeps are recorded
instead of slept, and `responses` mocking the HTTP layer for what an emulator cannot produce."""

from __future__ import annotations

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
