"""What the client says when Graph answers something it cannot use, word for word (these
lines are what a user reads), and the small promises around reads: a GET is retried after a
drop, counted as a GET, and batched reads are GETs."""

from __future__ import annotations

import json

import pytest
import responses

from reconciler.errors import GraphHTTPError, GraphResponseError
from reconciler.fetch import client as client_module
from reconciler.fetch.client import GraphClient
from reconciler.fetch.translate import excerpt, http_error

from .conftest import BASE, Sleeps

LIST = f"{BASE}/things"


def refusal(client: GraphClient, call) -> str:
    with pytest.raises(GraphResponseError) as caught:
        call(client)
    return str(caught.value)


@pytest.mark.parametrize(
    ("reply", "got"),
    [
        ({"body": b""}, "an empty body"),
        ({"body": b"plain", "content_type": "text/plain"}, "a text/plain body: plain"),
        ({"body": b"plain", "content_type": ""}, "a no content type body: plain"),
        # no content type: only a body opening like JSON ('{', '[') is read as JSON
        ({"body": b"X-ray", "content_type": ""}, "a no content type body: X-ray"),
        ({"json": [1, 2]}, "a JSON array: [1,2]"),
        ({"json": 7}, "a JSON value: 7"),
    ],
)
def test_an_entity_that_is_not_an_object_is_refused_saying_what_came(client, mocked, reply, got):
    mocked.get(f"{BASE}/thing", status=200, **reply)
    message = refusal(client, lambda c: c.get_entity("/thing"))
    assert message == f"GET /thing: expected an object but got {got}"


def test_a_collection_without_a_value_list_says_what_came(client, mocked):
    mocked.get(LIST, json={"items": []})
    assert refusal(client, lambda c: c.list_all("/things")) == (
        "GET /things: expected a collection (a 'value' list) but got a JSON object: {\"items\":[]}"
    )


def test_next_link_refusals_say_why(client, mocked):
    mocked.get(LIST, json={"value": [], "@odata.nextLink": "https://evil.test/beta/things"})
    assert refusal(client, lambda c: c.list_all("/things")) == (
        "GET /things: @odata.nextLink points to another host (https://evil.test:443); "
        "not followed, so the token stays with the Graph host."
    )
    mocked.replace(responses.GET, LIST, json={"value": [], "@odata.nextLink": 5})
    assert (
        refusal(client, lambda c: c.list_all("/things"))
        == "GET /things: @odata.nextLink is not a URL"
    )
    mocked.replace(responses.GET, LIST, json={"value": [], "@odata.nextLink": LIST})
    assert refusal(client, lambda c: c.list_all("/things")) == (
        "GET /things: @odata.nextLink repeats a page already read (a paging loop)."
    )


def test_paging_stops_at_the_page_limit(client, mocked, monkeypatch):
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": f"{BASE}/page2"})
    mocked.get(f"{BASE}/page2", json={"value": [{"id": "2"}], "@odata.nextLink": f"{BASE}/page3"})
    mocked.get(f"{BASE}/page3", json={"value": [{"id": "3"}]})
    monkeypatch.setattr(client_module, "MAX_PAGES", 2)
    assert refusal(client, lambda c: c.list_all("/things")) == (
        "GET /page2: @odata.nextLink: more than 2 pages; giving up."
    )
    monkeypatch.setattr(client_module, "MAX_PAGES", 3)
    assert [i["id"] for i in client.list_all("/things")] == ["1", "2", "3"]


def test_a_get_is_counted_as_a_get(client, mocked):
    mocked.get(f"{BASE}/thing", body=b"bytes")
    client.get("/thing")
    client.get_bytes("/thing")
    assert client.stats.by_method == {"GET": 2}


def test_get_bytes_is_retried_after_a_dropped_connection(raw_server, sleeps: Sleeps):
    url, replies = raw_server
    replies.extend(
        [
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        ]
    )
    assert GraphClient(url, sleep=sleeps, timeout=5).get_bytes("/p/blob") == b"abc"
    assert len(sleeps) == 1


def test_batched_reads_are_gets_keyed_by_path(client, mocked):
    def answer(request):
        items = json.loads(request.body)["requests"]
        assert [i["method"] for i in items] == ["GET", "GET"]
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps(
                {
                    "responses": [
                        {"id": i["id"], "status": 200, "body": {"url": i["url"]}} for i in items
                    ]
                }
            ),
        )

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=answer)
    results = client.read_many(["/a", "/b", "/a"])
    assert {path: r.body for path, r in results.items()} == {
        "/a": {"url": "/a"},
        "/b": {"url": "/b"},
    }


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (404, b"", "Not Found"),
        (404, "", "Not Found"),
        (404, None, "Not Found"),
        (599, b"", "(no error details)"),
        (
            502,
            b"<html><body><h1>Bad gateway</h1></body></html>",
            "non-Graph error body: Bad gateway",
        ),
        (500, b"a < b", "non-Graph error body: a < b"),
        (500, {"weird": 1}, 'non-Graph error body: {"weird": 1}'),
        (500, ["x", 2], 'non-Graph error body: ["x", 2]'),
    ],
)
def test_an_error_body_that_is_not_graph_json_is_described(status, body, message):
    error = http_error(status, body, headers={}, method="GET", url="/x")  # type: ignore[arg-type]
    assert isinstance(error, GraphHTTPError)
    assert error.graph_message == message


def test_excerpts_are_short_readable_lines():
    assert excerpt(b"") == "(empty body)"
    assert excerpt("  \n ") == "(empty body)"
    assert excerpt(b"caf\xc3\xa9\n\nbar") == "café bar"
    assert excerpt(b"\xff") == "\ufffd"
    assert excerpt("<p>a</p>") == "a" and excerpt("a > b") == "a > b"
    assert len(excerpt("x" * 1000)) == 200


def test_send_takes_json_or_data_not_both(client):
    with pytest.raises(ValueError, match=r"^pass json or data, not both$"):
        client.send("POST", "/x", json={}, data=b"")


def test_a_request_without_a_body_sends_none(client, mocked):
    mocked.post(f"{BASE}/x/assign", status=204)
    client.send("POST", "/x/assign")
    assert mocked.calls[0].request.body is None
    assert "Content-Type" not in mocked.calls[0].request.headers


def test_a_reply_that_is_not_valid_json_names_the_request(client, mocked):
    mocked.post(f"{BASE}/x", status=200, body=b"{nope", content_type="application/json")
    assert refusal(client, lambda c: c.send("POST", "/x", json={})) == (
        "POST /x: HTTP 200 with a body that is not valid JSON: {nope"
    )


def test_a_next_link_urllib_cannot_parse_is_not_a_url(client, mocked):
    mocked.get(LIST, json={"value": [], "@odata.nextLink": "http://[::1"})
    assert (
        refusal(client, lambda c: c.list_all("/things"))
        == "GET /things: @odata.nextLink is not a URL"
    )
    with pytest.raises(GraphResponseError, match="Refusing to send a request to an invalid URL"):
        client.get("http://[::1/x")


def test_a_next_link_of_another_scheme_is_named_invalid(client, mocked):
    mocked.get(LIST, json={"value": [], "@odata.nextLink": "ftp://graph.test/beta/things"})
    assert refusal(client, lambda c: c.list_all("/things")) == (
        "GET /things: @odata.nextLink points to another host (invalid); "
        "not followed, so the token stays with the Graph host."
    )
