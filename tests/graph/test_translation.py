"""Aspects: every error status becomes one typed error, once, keeping code, message and
request-id; Graph error JSON in all its spellings, Intune's JSON-inside-`message`, and bodies
that are not Graph errors at all; garbage 2xx bodies; redirects; no secrets in messages."""

from __future__ import annotations

import json

import pytest
import responses

from reconciler import errors
from reconciler.fetch.client import GraphClient
from reconciler.fetch.translate import error_details, redact

from .conftest import BASE, TOKEN

INTUNE_MESSAGE = json.dumps(
    {
        "_version": 3,
        "Message": "An error has occurred - Operation ID (for customer support): 0000 - "
        "Activity ID: 1234 - Url: https://fef.msua06.manage.microsoft.com/x",
        "CustomApiErrorPhrase": "",
        "RetryAfter": None,
        "ErrorSourceService": "",
        "HttpHeaders": "{}",
    }
)


def graph_error(code: str, message: str, **inner: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "innerError": inner}}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.UnauthorizedError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
        (405, errors.GraphHTTPError),
        (409, errors.GraphHTTPError),
        (412, errors.GraphHTTPError),
        (500, errors.ServerError),
        (501, errors.ServerError),
        (507, errors.ServerError),
    ],
)
def test_status_maps_to_its_error_class(
    client: GraphClient, mocked: responses.RequestsMock, status: int, cls: type
) -> None:
    mocked.get(f"{BASE}/p", status=status, json=graph_error("SomeCode", "it broke"))
    with pytest.raises(errors.GraphHTTPError) as caught:
        client.get("/p")
    assert type(caught.value) is cls
    assert caught.value.status == status
    assert caught.value.code == "SomeCode"
    assert caught.value.graph_message == "it broke"
    assert str(caught.value) == f"GET /p: HTTP {status} SomeCode: it broke"
    assert len(mocked.calls) == 1  # not retried


def test_request_id_comes_from_the_header_first(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    body = graph_error("itemNotFound", "gone", **{"request-id": "from-body"})
    mocked.get(f"{BASE}/p", status=404, json=body, headers={"request-id": "from-header"})
    with pytest.raises(errors.NotFoundError) as caught:
        client.get("/p")
    assert caught.value.request_id == "from-header"
    assert "(request-id from-header)" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"code": "c", "message": "m", "innerError": {"request-id": "rid"}}},
        {"error": {"code": "c", "message": "m", "innererror": {"requestId": "rid"}}},
        {"Error": {"Code": "c", "Message": "m", "InnerError": {"Request-Id": "rid"}}},
        {
            "error": {
                "code": "c",
                "message": "m",
                "innerError": {"innerError": {"requestid": "rid"}},
            }
        },
    ],
)
def test_error_json_keys_match_case_insensitively(body: dict[str, object]) -> None:
    details = error_details(body)
    assert details is not None
    assert (details.code, details.message, details.request_id) == ("c", "m", "rid")


def test_the_deepest_recognised_inner_code_wins() -> None:
    body = {
        "error": {
            "code": "BadRequest",
            "message": "m",
            "innerError": {
                "code": "itemNotFound",
                "innerError": {"code": "someInternalThing", "innerError": {"code": 7}},
            },
        }
    }
    details = error_details(body)
    assert details is not None and details.code == "itemNotFound"


def test_deeply_nested_inner_errors_do_not_recurse_forever() -> None:
    node: dict[str, object] = {"code": "accessDenied"}
    for _ in range(10_000):
        node = {"innerError": node}
    details = error_details({"error": {"code": "x", "message": "m", "innerError": node}})
    assert details is not None and details.code == "x"


def test_intune_json_inside_message_is_unpacked(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/p", status=400, json=graph_error("BadRequest", INTUNE_MESSAGE))
    with pytest.raises(errors.BadRequestError) as caught:
        client.get("/p")
    assert caught.value.graph_message.startswith("An error has occurred - Operation ID")
    assert "_version" not in str(caught.value)
    assert json.loads(caught.value.raw_message)["_version"] == 3


@pytest.mark.parametrize(
    "message", ['{"_version": 3, "Message":', '{"no": "message key"}', "{not json", '["list"]']
)
def test_message_that_only_looks_like_json_is_kept_raw(message: str) -> None:
    details = error_details(graph_error("BadRequest", message))
    assert details is not None
    assert details.message == message and details.raw_message == ""


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", "502 Bad Gateway"),
        (b"upstream connect error", "text/plain", "upstream connect error"),
        (b'{"error": {"code": "Bad', "application/json", '{"error": {"code": "Bad'),
        (b'{"unexpected": true}', "application/json", '{"unexpected": true}'),
        (b"\xff\xfe\x00garbage", "application/octet-stream", "garbage"),
    ],
)
def test_non_graph_error_bodies_become_a_short_excerpt(
    client: GraphClient,
    mocked: responses.RequestsMock,
    body: bytes,
    content_type: str,
    expected: str,
) -> None:
    mocked.get(f"{BASE}/p", status=502, body=body, content_type=content_type)
    with pytest.raises(errors.ServerError) as caught:
        client.get("/p")
    assert expected in caught.value.graph_message
    assert caught.value.code == ""
    assert "\n" not in str(caught.value)


def test_empty_error_body_uses_the_status_phrase(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/p", status=403, body=b"")
    with pytest.raises(errors.ForbiddenError, match="HTTP 403 Forbidden"):
        client.get("/p")


def test_huge_error_bodies_are_capped(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/p", status=500, body=b"x" * 100_000, content_type="text/plain")
    mocked.get(f"{BASE}/q", status=500, json=graph_error("generalException", "y" * 100_000))
    for path in ("/p", "/q"):
        with pytest.raises(errors.ServerError) as caught:
            client.get(path)
        assert len(str(caught.value)) < 600


def test_secrets_echoed_by_a_server_are_redacted(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    echoed = f"you sent Authorization: Bearer {TOKEN} and {jwt} and client_secret=hunter2"
    mocked.get(f"{BASE}/p", status=401, json=graph_error("InvalidAuthenticationToken", echoed))
    mocked.get(f"{BASE}/q", status=401, body=echoed.encode(), content_type="text/plain")
    for path in ("/p", "/q"):
        with pytest.raises(errors.UnauthorizedError) as caught:
            client.get(path)
        text = str(caught.value) + caught.value.raw_message
        assert TOKEN not in text and jwt not in text and "hunter2" not in text
    assert redact("Bearer abc.def") == "Bearer <redacted>"


def test_garbage_json_on_success_is_a_response_error(
    client: GraphClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{BASE}/p", status=200, body=b'{"value": [1, 2', content_type="application/json")
    with pytest.raises(errors.GraphResponseError, match="not valid JSON") as caught:
        client.get("/p")
    assert isinstance(caught.value.__cause__, ValueError)


def test_redirects_are_not_followed(client: GraphClient, mocked: responses.RequestsMock) -> None:
    mocked.get(f"{BASE}/p", status=302, headers={"Location": "https://evil.example/steal"})
    mocked.get("https://evil.example/steal", json={})
    with pytest.raises(errors.GraphResponseError, match="redirect"):
        client.get("/p")
    assert [call.request.url for call in mocked.calls] == [f"{BASE}/p"]
