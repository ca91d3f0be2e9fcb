"""Details of one exchange with Graph: the User-Agent Graph sees; a body over the cap stops the
read as it streams in (no waiting for the rest); a top-level 429 with Retry-After holds the
pacer's bucket back; each retry's log line says why; and a request that keeps failing says
whether it may have landed (never for a read or a retried idempotent write)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
import responses

from reconciler import __version__
from reconciler.errors import GraphHTTPError, GraphResponseError
from reconciler.fetch import client as client_module
from reconciler.fetch.client import GraphClient
from reconciler.fetch.pacing import Pacer
from reconciler.kinds import REGISTRY

from .conftest import BASE, Sleeps
from .test_pacing import FakeClock

SC = "/deviceManagement/configurationPolicies"


def test_graph_sees_reconcilers_user_agent(emulator) -> None:
    emulator.reset_stats()
    GraphClient(emulator.base_url).get("/officeConfiguration")
    assert emulator.stats()["user_agents"] == {f"reconciler/{__version__}": 1}


@pytest.fixture
def stalling_server() -> Iterator[str]:
    """Claims a body of 1 MB, sends 200 kB of it, then holds the connection open."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    done = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"x" * 200_000)
        done.wait(10)
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/beta"
    finally:
        done.set()
        thread.join()
        listener.close()


def test_a_body_over_the_cap_stops_the_read_without_waiting_for_the_rest(
    stalling_server: str, monkeypatch: pytest.MonkeyPatch, sleeps: Sleeps
) -> None:
    monkeypatch.setattr(client_module, "MAX_BODY_BYTES", 100_000)
    # read as it streams, the cap is hit while the server is silent; a client that waited
    # for the whole body would time out instead (a transport error, not this one)
    graph = GraphClient(stalling_server, sleep=sleeps, timeout=5.0, max_attempts=1)
    with pytest.raises(GraphResponseError, match="response body larger than 100000 bytes"):
        graph.get_bytes("/big")


@pytest.mark.parametrize(
    ("status", "retry_after", "owed"), [(429, "3", 3.0), (429, None, 0.0), (503, "3", 0.0)]
)
def test_a_429_with_retry_after_holds_the_bucket_back_for_everyone(
    mocked: responses.RequestsMock,
    sleeps: Sleeps,
    status: int,
    retry_after: str | None,
    owed: float,
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    mocked.get(f"{BASE}{SC}/1", status=status, headers=headers)
    mocked.get(f"{BASE}{SC}/1", json={})
    clock = FakeClock()  # stands still: what the bucket owes is what the answer left in it
    pacer = Pacer.for_classes(REGISTRY.throttle_routes(), budget=0.5, clock=clock)
    GraphClient(BASE, sleep=sleeps, pacer=pacer).get(f"{SC}/1")
    assert pacer.reserve([(f"{SC}/2", "GET")])[0] == pytest.approx(owed, abs=0.2)


@pytest.mark.parametrize(("status", "why"), [(429, "throttled"), (503, "HTTP 503")])
def test_each_retry_is_logged_with_why(
    client: GraphClient,
    mocked: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    status: int,
    why: str,
) -> None:
    mocked.get(f"{BASE}/p", status=status, headers={"Retry-After": "0"})
    mocked.get(f"{BASE}/p", json={})
    with caplog.at_level(logging.INFO, logger="reconciler.fetch.client"):
        client.get("/p")
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert retries == [f"retrying in 0.00s after GET /p: {why}"]


@pytest.mark.parametrize(
    ("method", "idempotent", "maybe"),
    [("GET", True, False), ("PATCH", True, False), ("POST", False, True)],
)
def test_a_request_that_keeps_failing_says_whether_it_may_have_landed(
    mocked: responses.RequestsMock, sleeps: Sleeps, method: str, idempotent: bool, maybe: bool
) -> None:
    mocked.add(method, f"{BASE}/p", status=500, json={"error": {"code": "x", "message": "no"}})
    graph = GraphClient(BASE, sleep=sleeps, max_attempts=2)
    with pytest.raises(GraphHTTPError) as raised:
        graph.send(method, "/p", json={} if method != "GET" else None, idempotent=idempotent)
    assert raised.value.status == 500 and raised.value.maybe_applied is maybe
    assert "/p" in str(raised.value) and method in str(raised.value)


@pytest.mark.parametrize(("label", "prefix"), [("contoso", "[contoso] "), ("", "")])
def test_a_labelled_clients_log_lines_name_its_tenant(
    mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture, label: str, prefix: str
) -> None:
    mocked.get(f"{BASE}/p", json={})
    graph = GraphClient(BASE, label=label)
    with caplog.at_level(logging.INFO, logger="reconciler.fetch.client"):
        graph.get("/p")
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"{prefix}GET /p -> 200 in ")
