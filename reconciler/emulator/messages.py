"""Transport-free request and response values, shared by HTTP serving and ``$batch`` items."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from reconciler.emulator.errors import bad_request

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Request:
    """One Graph request; ``path`` is below the version prefix, e.g. ``/officeConfiguration``."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    body: bytes
    base_url: str  # e.g. http://127.0.0.1:8765/beta, for absolute nextLinks and Location
    request_id: str
    client_request_id: str | None = None
    app: str = "anonymous"  # throttling identity, set once the caller is authenticated
    # Multi-tenant mode: the tenant the caller's token was issued for ("" the only one).
    tenant: str = ""
    # The permissions of the caller's token (None: not known, so not checked).
    roles: tuple[str, ...] | None = None

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def json(self) -> Any:
        """The body as JSON; a missing or malformed body is a 400."""
        if not self.body.strip():
            raise bad_request("A request body is required.")
        try:
            text = self.body.decode("utf-8-sig")
            return json.loads(text, parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise bad_request(f"The request body is not valid JSON: {error}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@dataclass
class Response:
    """A reply; JSON replies also keep their value so ``$batch`` need not parse them again."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    json_value: Any = None

    @classmethod
    def of_json(cls, status: int, value: Any, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(value, separators=(",", ":")).encode("utf-8")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, body, all_headers, value)

    @classmethod
    def of_bytes(cls, data: bytes, content_type: str = "application/octet-stream") -> Response:
        return cls(200, data, {"Content-Type": content_type})

    @classmethod
    def empty(cls, status: int = 204) -> Response:
        return cls(status)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


DIAGNOSTIC = json.dumps({"ServerInfo": {"DataCenter": "Emulator", "Slice": "E", "Ring": "0"}})


def stamp(request: Request, response: Response) -> Response:
    """The correlation headers Graph puts on every reply, $batch items included."""
    response.headers["request-id"] = request.request_id
    response.headers["client-request-id"] = request.client_request_id or request.request_id
    response.headers["x-ms-ags-diagnostic"] = DIAGNOSTIC
    return response
