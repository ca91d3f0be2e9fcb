"""Graph error responses: one exception type that every layer raises and one body builder.

Handlers raise :class:`ApiError`; the dispatcher turns it into the Graph error JSON of
graph-spec §3.1, so no handler formats an error body itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class ApiError(Exception):
    """A request the emulator refuses, carried to the dispatcher as status, code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        inner: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        # Extra ``innerError`` members (Intune repeats the message there, graph-intune §6.1).
        self.inner = inner or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def not_found(what: str) -> ApiError:
    return ApiError(404, "itemNotFound", f"{what} was not found.")


def error_body(
    code: str,
    message: str,
    *,
    request_id: str,
    client_request_id: str | None,
    status: int,
    extra_inner: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Graph error JSON, with the correlation ids in ``innerError`` as Graph puts them
    (after ``extra_inner``, as Intune orders them)."""
    inner: dict[str, Any] = {
        **(extra_inner or {}),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "request-id": request_id,
    }
    if client_request_id:
        inner["client-request-id"] = client_request_id
    if status == 429:
        # The throttling sample in the Graph docs repeats code and status here.
        inner["code"] = code
        inner["status"] = status
    return {"error": {"code": code, "message": message, "innerError": inner}}
