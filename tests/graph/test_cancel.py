"""After `cancel()` nothing more goes out: a request not yet sent says so (method and path),
before its first attempt, while it waits for the pacer, and between retries; a write whose
earlier attempt may have landed (a 5xx) raises that error as maybe applied instead, while
one only throttled (429) was not sent at all."""

from __future__ import annotations

import threading
import time

import pytest
import responses

from reconciler.errors import GraphHTTPError, GraphTransportError, NotSentError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import Pacer

from .conftest import BASE

NOT_SENT = "PATCH /p: not sent, the run was interrupted"


class CancelOnSleep(list[float]):
    """A sleep that records the delay and cancels the run on its `nth` call (1-based)."""

    def __init__(self, nth: int) -> None:
        super().__init__()
        self.nth = nth
        self.client: GraphClient | None = None

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        if len(self) == self.nth and self.client is not None:
            self.client.cancel()


def client_with(sleep: CancelOnSleep, pacer: Pacer | None = None) -> GraphClient:
    graph = GraphClient(BASE, sleep=sleep, pacer=pacer)
    sleep.client = graph
    return graph


def test_a_request_after_the_cancel_is_not_sent(mocked: responses.RequestsMock) -> None:
    graph = client_with(CancelOnSleep(0))
    graph.cancel()
    with pytest.raises(NotSentError) as raised:
        graph.send("PATCH", "/p", json={})
    assert str(raised.value) == NOT_SENT and len(mocked.calls) == 0


def test_a_write_cancelled_while_waiting_for_the_pacer_is_not_sent(mocked) -> None:
    mocked.patch(f"{BASE}/p", json={})
    sleep = CancelOnSleep(1)
    graph = client_with(sleep, Pacer.writes_only(1.0, 1))  # one write, then one a second
    graph.send("PATCH", "/p", json={})
    with pytest.raises(NotSentError) as raised:
        graph.send("PATCH", "/p", json={})  # waits for the bucket: cancelled meanwhile
    assert str(raised.value) == NOT_SENT
    assert len(sleep) == 1 and len(mocked.calls) == 1


@pytest.mark.parametrize("paced", [False, True])
def test_a_write_cancelled_after_a_5xx_raises_it_as_maybe_applied(mocked, paced: bool) -> None:
    mocked.patch(f"{BASE}/p", status=503, json={"error": {"code": "x", "message": "busy"}})
    # cancelled in the retry's pause, or (paced) in the pacer's wait before the retry
    sleep = CancelOnSleep(2 if paced else 1)
    graph = client_with(sleep, Pacer.writes_only(1.0, 1) if paced else None)
    with pytest.raises(GraphHTTPError) as raised:
        graph.send("PATCH", "/p", json={})
    assert raised.value.status == 503 and raised.value.maybe_applied is True
    assert str(raised.value).startswith("PATCH /p")
    assert len(mocked.calls) == 1 and len(sleep) == (2 if paced else 1)


def test_a_write_cancelled_after_a_429_was_not_sent(mocked) -> None:
    mocked.patch(f"{BASE}/p", status=429, headers={"Retry-After": "1"})
    graph = client_with(CancelOnSleep(1))
    with pytest.raises(NotSentError) as raised:
        graph.send("PATCH", "/p", json={})
    assert str(raised.value) == NOT_SENT


def test_a_write_cancelled_after_a_dropped_answer_raises_the_drop_as_maybe_applied(
    mocked,
) -> None:
    import requests

    mocked.patch(f"{BASE}/p", body=requests.exceptions.ConnectionError("reset by peer"))
    graph = client_with(CancelOnSleep(1))
    with pytest.raises(GraphTransportError) as raised:
        graph.send("PATCH", "/p", json={})
    assert raised.value.maybe_applied is True and str(raised.value).startswith("PATCH /p")


def test_a_cancel_ends_a_wait_at_once(mocked) -> None:
    # the real sleep (the default): Graph asks for 30 s; a cancel from another thread (a
    # signal handler's) ends the wait instead of letting it run out
    mocked.get(f"{BASE}/p", status=429, headers={"Retry-After": "30"})
    graph = GraphClient(BASE)
    timer = threading.Timer(0.2, graph.cancel)
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(NotSentError):
            graph.get("/p")
    finally:
        timer.cancel()
    assert time.monotonic() - started < 10  # far below the 30 s asked for
