"""Aspects: paging through @odata.nextLink as an opaque URL, and refusing garbage rather than
returning an empty or partial list (missing `value`, loops, links to other hosts); single
entities wrapped in `value`; stream bytes; JSON content types with parameters."""

from __future__ import annotations

import pytest
import responses

from reconciler.errors import GraphResponseError, NotFoundError
from reconciler.fetch.client import GraphClient

from .conftest import BASE

LIST = f"{BASE}/officeConfiguration/clientConfigurations"


def test_list_all_follows_next_links_verbatim(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    page2 = f"{LIST}?$skiptoken=opaque%3D%3D&x=1"
    page3 = f"{BASE}/somewhere/else?token=abc"  # any same-origin URL: opaque
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": page2})
    mocked.get(page2, json={"value": [{"id": "2"}, {"id": "3"}], "@odata.nextLink": page3})
    mocked.get(page3, json={"value": [], "@odata.nextLink": None})
    items = client.list_all("/officeConfiguration/clientConfigurations")
    assert [item["id"] for item in items] == ["1", "2", "3"]
    assert [call.request.url for call in mocked.calls] == [LIST, page2, page3]


def test_list_all_passes_top_on_the_first_page_only(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{LIST}?$top=5", json={"value": [{"id": "1"}], "@odata.nextLink": f"{LIST}?p=2"})
    mocked.get(f"{LIST}?p=2", json={"value": [{"id": "2"}]})
    assert len(client.list_all(LIST, top=5)) == 2
    assert mocked.calls[1].request.url == f"{LIST}?p=2"


def test_a_relative_next_link_resolves_against_the_page(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": "clientConfigurations?p=2"})
    mocked.get(f"{LIST}?p=2", json={"value": [{"id": "2"}]})
    assert len(client.list_all(LIST)) == 2


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b'{"items": []}', "application/json", "expected a collection"),
        (b'{"value": {"id": "1"}}', "application/json", "expected a collection"),
        (b"[]", "application/json", "JSON array"),
        (b"null", "application/json", "empty body"),
        (b"", "application/json", "empty body"),
        (b"<html>maintenance</html>", "text/html", "text/html body: maintenance"),
        (b'{"value": [1, 2]}', "application/json", "non-object"),
        (b'{"value": [{"id": "1"}', "application/json", "not valid JSON"),
        (b'{"value": []}', "text/plain", "text/plain body"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "not valid JSON"),
    ],
)
def test_garbage_pages_raise_never_an_empty_list(
    client: GraphClient, mocked: responses.RequestsMock, body: bytes, content_type: str, words: str
) -> None:
    mocked.get(LIST, body=body, content_type=content_type)
    with pytest.raises(GraphResponseError, match=words):
        client.list_all(LIST)


def test_garbage_on_a_later_page_also_raises(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": f"{LIST}?p=2"})
    mocked.get(f"{LIST}?p=2", json={"oops": True})
    with pytest.raises(GraphResponseError, match=r"\?p=2"):
        client.list_all(LIST)


@pytest.mark.parametrize("link", [7, "", ["x"], {"href": "x"}])
def test_a_next_link_that_is_not_a_url_raises(
    client: GraphClient, mocked: responses.RequestsMock, link: object
) -> None:
    mocked.get(LIST, json={"value": [], "@odata.nextLink": link})
    with pytest.raises(GraphResponseError, match="not a URL"):
        client.list_all(LIST)


def test_a_next_link_loop_is_detected(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": f"{LIST}?p=2"})
    mocked.get(f"{LIST}?p=2", json={"value": [{"id": "2"}], "@odata.nextLink": LIST})
    with pytest.raises(GraphResponseError, match="loop"):
        client.list_all(LIST)
    assert len(mocked.calls) == 2


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/beta/officeConfiguration/clientConfigurations?p=2",
        "http://graph.test/beta/officeConfiguration/clientConfigurations?p=2",
        "https://graph.test.evil.example/beta?p=2",
        "//evil.example/beta?p=2",
        "javascript:alert(1)",
    ],
)
def test_a_next_link_to_another_host_is_never_requested(
    client: GraphClient, mocked: responses.RequestsMock, link: str
) -> None:
    mocked.get(LIST, json={"value": [{"id": "1"}], "@odata.nextLink": link})
    with pytest.raises(GraphResponseError, match="another host"):
        client.list_all(LIST)
    assert len(mocked.calls) == 1  # the token stayed home


def test_get_entity_unwraps_a_single_entity_in_value(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    wrapped = {"@odata.context": "x", "value": {"id": "1", "displayName": "A"}}
    mocked.get(f"{BASE}/a", json=wrapped)
    mocked.get(f"{BASE}/b", json={"id": "2", "value": {"not": "a wrapper"}})
    assert client.get_entity("/a") == {"id": "1", "displayName": "A"}
    assert client.get_entity("/b") == {"id": "2", "value": {"not": "a wrapper"}}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"[1]", "application/json"), (b"", None), (b"hello", "text/plain")],
)
def test_get_entity_refuses_anything_but_an_object(
    client: GraphClient, mocked: responses.RequestsMock, body: bytes, content_type: str | None
) -> None:
    mocked.get(f"{BASE}/a", body=body, content_type=content_type)
    with pytest.raises(GraphResponseError, match="expected an object"):
        client.get_entity("/a")


def test_get_404_raises_never_absent(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/a", status=404, json={"error": {"code": "itemNotFound", "message": "no"}})
    with pytest.raises(NotFoundError):
        client.get_entity("/a")


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json; charset=utf-8",
        "application/json;odata.metadata=minimal",
        "APPLICATION/JSON",
    ],
)
def test_json_content_types_with_parameters(
    client: GraphClient, mocked: responses.RequestsMock, content_type: str
) -> None:
    mocked.get(f"{BASE}/a", body='\ufeff{"id": "é"}'.encode(), content_type=content_type)
    assert client.get("/a").body == {"id": "é"}


def test_untyped_json_is_parsed_and_untyped_text_kept_as_bytes(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/a", body=b'{"id": "1"}', content_type=None)
    mocked.get(f"{BASE}/b", body=b"12", content_type="text/plain")
    assert client.get("/a").body == {"id": "1"}
    assert client.get("/b").body == b"12"


def test_get_bytes_returns_the_raw_stream(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    payload = b'{"settings": [1]}\x00\xff'
    mocked.get(f"{BASE}/p/policyPayload", body=payload, content_type="application/octet-stream")
    mocked.get(f"{BASE}/q/policyPayload", status=204)
    mocked.get(f"{BASE}/r/policyPayload", body=b'{"a":1}', content_type="application/json")
    assert client.get_bytes("/p/policyPayload") == payload
    assert client.get_bytes("/q/policyPayload") == b""
    assert client.get_bytes("/r/policyPayload") == b'{"a":1}'


@pytest.mark.parametrize("status", [200, 201, 204])
def test_writes_accept_any_2xx_with_or_without_a_body(
    client: GraphClient, mocked: responses.RequestsMock, status: int
) -> None:
    body = b"" if status == 204 else b'{"id": "1"}'
    mocked.patch(f"{BASE}/a", status=status, body=body, content_type="application/json")
    response = client.send("PATCH", "/a", json={"displayName": "x"})
    assert response.status == status
    assert response.body == (None if status == 204 else {"id": "1"})
    sent = mocked.calls[0].request
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.body == b'{"displayName":"x"}'


def test_send_raw_bytes_with_a_content_type(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(f"{BASE}/a/policyPayload", status=204)
    client.send("PUT", "/a/policyPayload", data=b"\x01\x02")
    client.send("PUT", "/a/policyPayload", data=b"{}", content_type="application/json")
    assert [c.request.headers["Content-Type"] for c in mocked.calls] == [
        "application/octet-stream",
        "application/json",
    ]
    assert mocked.calls[0].request.body == b"\x01\x02"
    with pytest.raises(ValueError):
        client.send("PUT", "/a", data=b"x", json={})


def test_response_exposes_headers_case_insensitively_and_ids(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/a", json={}, headers={"request-id": "rid-1", "X-Ms-Ags-Diagnostic": "d"})
    response = client.get("/a")
    assert response.request_id == "rid-1"
    assert response.headers["x-ms-ags-diagnostic"] == "d"
    assert response.client_request_id == mocked.calls[0].request.headers["client-request-id"]


def test_oversized_bodies_are_refused(
    client: GraphClient, mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reconciler.fetch.client.MAX_BODY_BYTES", 1000)
    mocked.get(f"{BASE}/a", body=b"x" * 5000, content_type="application/octet-stream")
    with pytest.raises(GraphResponseError, match="larger than"):
        client.get_bytes("/a")


def test_read_many_keys_results_by_path(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    def answer(request: object) -> tuple[int, dict[str, str], str]:
        import json

        sent = json.loads(request.body)["requests"]  # type: ignore[attr-defined]
        out = [{"id": r["id"], "status": 200, "body": {"url": r["url"]}} for r in sent]
        return 200, {"Content-Type": "application/json"}, json.dumps({"responses": out})

    mocked.add_callback(responses.POST, f"{BASE}/$batch", callback=answer)
    results = client.read_many(["/a", "/b", "/a"])
    assert {path: r.body["url"] for path, r in results.items()} == {"/a": "/a", "/b": "/b"}
