"""How a reply is framed decides whether it is complete: a 204 (or 304, or a HEAD answer)
has no body and needs no Content-Length; an HTTP/1.1 reply with a body and no framing at all
is what a connection cut inside the headers looks like, so it counts as dropped; HTTP/1.0
replies end with the connection by design."""

from __future__ import annotations

import pytest

from reconciler import errors
from reconciler.fetch.client import GraphClient

from .conftest import Sleeps

CREATED = b'HTTP/1.1 201 Created\r\nContent-Length: 11\r\n\r\n{"id":"1"} '


def answering(raw_server: tuple[str, list[bytes]], sleeps: Sleeps, *replies: bytes) -> GraphClient:
    """A client of the raw server, which answers its connections with `replies` in turn."""
    url, queued = raw_server
    queued.extend(replies)
    return GraphClient(url, sleep=sleeps, timeout=5)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "POST"])
def test_an_http11_204_without_content_length_is_an_empty_reply(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps, method: str
) -> None:
    graph = answering(raw_server, sleeps, b"HTTP/1.1 204 No Content\r\nrequest-id: r-1\r\n\r\n")
    response = graph.send(method, "/p", data=b"", idempotent=method != "POST")
    assert (response.status, response.body, response.request_id) == (204, None, "r-1")
    assert raw_server[1] == [] and sleeps == []  # one exchange, nothing retried


def test_an_http11_204_without_content_length_after_a_stream_put(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps
) -> None:
    graph = answering(raw_server, sleeps, b"HTTP/1.1 204 No Content\r\n\r\n")
    assert graph.get_bytes("/p/policyPayload") == b""


def test_an_http11_304_without_content_length_is_not_a_drop(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps
) -> None:
    graph = answering(raw_server, sleeps, b"HTTP/1.1 304 Not Modified\r\n\r\n")
    with pytest.raises(errors.GraphResponseError, match="redirect"):
        graph.get("/p")  # a 3xx is refused as a redirect, not retried as a dropped reply
    assert sleeps == []


@pytest.mark.parametrize("status", [b"200 OK", b"201 Created"])
def test_an_http11_reply_with_a_body_and_no_framing_is_a_drop(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps, status: bytes
) -> None:
    unframed = b"HTTP/1.1 " + status + b'\r\nContent-Type: application/json\r\n\r\n{"id":"1"}'
    graph = answering(raw_server, sleeps, unframed, CREATED)
    assert graph.send("PUT", "/p", json={}).body == {"id": "1"}  # the first was retried
    assert len(sleeps) == 1


def test_a_chunked_reply_is_framed(raw_server: tuple[str, list[bytes]], sleeps: Sleeps) -> None:
    graph = answering(
        raw_server,
        sleeps,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b'\r\na\r\n{"id":"7"}\r\n0\r\n\r\n',
    )
    assert graph.send("POST", "/p", json={}, idempotent=False).body == {"id": "7"}
    assert sleeps == []


def test_an_http10_reply_ends_with_its_connection(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps
) -> None:
    graph = answering(
        raw_server, sleeps, b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"id":"8"}'
    )
    assert graph.send("POST", "/p", json={}, idempotent=False).body == {"id": "8"}
    assert sleeps == []


def test_an_http11_head_reply_needs_no_framing(
    raw_server: tuple[str, list[bytes]], sleeps: Sleeps
) -> None:
    graph = answering(
        raw_server, sleeps, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
    )
    assert graph.send("HEAD", "/p").status == 200
    assert sleeps == []
