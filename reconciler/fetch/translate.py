"""Graph error bodies to typed errors: the one place an HTTP failure gets its words.

Handles the Graph error JSON of graph-spec §3.1 (keys matched case-insensitively, nested
`innerError` codes, both request-id spellings), Intune's JSON-inside-`message`, and bodies
that are not JSON at all (HTML from a proxy, text, truncated JSON), which become a short,
one-line excerpt. Every text that reaches a message goes through `redact`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from reconciler.errors import GraphHTTPError, http_error_class

if TYPE_CHECKING:
    # An annotation only: importing requests here made `reconciler --version` and the
    # offline `validate` pay for it (the parser imports fetch.urls, which imports this).
    from requests.structures import CaseInsensitiveDict

EXCERPT_CHARS = 200
MESSAGE_CHARS = 500
_MAX_INNER_DEPTH = 32

# Codes worth branching on (graph-spec §3.1); a nested innerError code wins only if known.
KNOWN_CODES = frozenset(
    code.lower()
    for code in [
        *("accessDenied", "activityLimitReached", "generalException", "invalidRequest"),
        *("itemNotFound", "notAllowed", "notSupported", "resourceModified"),
        *("serviceNotAvailable", "quotaLimitReached", "unauthenticated", "BadRequest"),
        *("ResourceNotFound", "TooManyRequests", "Forbidden", "Unauthorized"),
        *("InternalServerError", "ServiceUnavailable", "GatewayTimeout"),
    ]
)

_REDACTIONS = (
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"), "Bearer <redacted>"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "<redacted>"),
    (
        re.compile(
            r"(?i)\b(client_secret|client_assertion|access_token|refresh_token|password)"
            r"([\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;]+"
        ),
        r"\1\2<redacted>",
    ),
)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def redact(text: str) -> str:
    """Mask anything shaped like a credential, in case a server echoes one back."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def one_line(text: str, limit: int) -> str:
    """Collapse whitespace and cap the length, so errors print as a single line."""
    text = _SPACE.sub(" ", redact(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(content: bytes | str) -> str:
    """A short, readable view of a body that is not Graph error JSON."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    if "<" in text and ">" in text:
        text = _TAG.sub(" ", text)  # an HTML error page from a proxy or gateway
    return one_line(text, EXCERPT_CHARS) or "(empty body)"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json") or kind == "text/json"


def decode_json(content: bytes) -> Any:
    """Parse a JSON body, tolerating a BOM. Raises ValueError on anything else, including
    nesting deep enough to exhaust the parser's recursion (a hostile server)."""
    try:
        return json.loads(content.decode("utf-8-sig"))
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def ci_get(obj: Mapping[str, Any], *names: str) -> Any:
    for name in names:  # the usual case, the key as Graph spells it: no scan of every key
        if name in obj:
            return obj[name]
    wanted = {name.lower() for name in names}
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() in wanted:
            return value
    return None


@dataclass(frozen=True)
class ErrorDetails:
    code: str
    message: str
    raw_message: str
    request_id: str


def error_details(body: Any) -> ErrorDetails | None:
    """Read a Graph error JSON document; None if `body` is not one."""
    error = ci_get(body, "error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None
    code = ci_get(error, "code")
    code = code if isinstance(code, str) else ""
    message = ci_get(error, "message")
    raw = message if isinstance(message, str) else ""
    intune = _intune_message(raw)
    request_id = ""
    node: Any = error
    for _ in range(_MAX_INNER_DEPTH):
        node = ci_get(node, "innererror")
        if not isinstance(node, Mapping):
            break
        rid = ci_get(node, "request-id", "requestid")
        if isinstance(rid, str) and rid:
            request_id = rid
        inner_code = ci_get(node, "code")
        if isinstance(inner_code, str) and inner_code.lower() in KNOWN_CODES:
            code = inner_code  # deepest recognised code wins (graph-spec §3.1)
    return ErrorDetails(
        code=one_line(code, 100),
        message=one_line(intune or raw, MESSAGE_CHARS),
        raw_message=redact(raw) if intune else "",
        request_id=one_line(request_id, 100),
    )


def _intune_message(message: str) -> str:
    """Intune puts a JSON document in `message`; its `Message` is the human part."""
    if not message.lstrip().startswith("{"):
        return ""
    try:
        inner = json.loads(message)
    except ValueError:
        return ""
    text = ci_get(inner, "message") if isinstance(inner, Mapping) else None
    return text if isinstance(text, str) and text.strip() else ""


def http_error(
    status: int,
    body: Any,
    *,
    headers: CaseInsensitiveDict[str],
    method: str,
    url: str,
    fallback_request_id: str = "",
    maybe_applied: bool = False,
) -> GraphHTTPError:
    """The typed error for an error status. `body` is raw bytes (top-level responses) or an
    already parsed value (batch sub-responses)."""
    parsed = body
    if isinstance(body, bytes | str) and body:
        try:
            parsed = decode_json(body if isinstance(body, bytes) else body.encode())
        except ValueError:
            parsed = None
    details = error_details(parsed)
    if details is not None:
        code, message, raw = details.code, details.message, details.raw_message
        body_request_id = details.request_id
    else:
        code, raw, body_request_id = "", "", ""
        message = _describe_garbage(status, body)
    request_id = one_line(headers.get("request-id") or "", 100)
    error = http_error_class(status)(
        message,
        status=status,
        code=code,
        request_id=request_id or body_request_id or fallback_request_id,
        method=method,
        url=url,
    )
    error.raw_message = raw
    error.maybe_applied = maybe_applied
    return error


def _describe_garbage(status: int, body: Any) -> str:
    if body is None or body in (b"", ""):
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return "(no error details)"
    if isinstance(body, bytes | str):
        return f"non-Graph error body: {excerpt(body)}"
    return f"non-Graph error body: {excerpt(json.dumps(body, default=str))}"
