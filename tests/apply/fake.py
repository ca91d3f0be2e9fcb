"""A scripted stand-in for `GraphClient` for the executor's unit tests: it answers each POST
create, each collection listing and each $batch item as the test says, and records every
request, so a test can count what was sent (the emulator's rule against duplicate
priorities would hide a create sent twice)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from requests.structures import CaseInsensitiveDict

from reconciler.errors import GraphHTTPError
from reconciler.fetch.batching import NO_HOOKS, Hooks
from reconciler.fetch.client import BatchRequest, BatchResult, GraphResponse
from reconciler.fetch.translate import http_error
from tests.support.tenant import SECURITY_TYPE


def graph_error(
    status: int, method: str = "POST", *, maybe_applied: bool = False, request_id: str = ""
) -> GraphHTTPError:
    """The error the client raises for `status`, as `fetch.translate` builds it."""
    body = b'{"error": {"code": "x", "message": "refused"}}'
    return http_error(
        status,
        body,
        headers=CaseInsensitiveDict({"request-id": request_id} if request_id else {}),
        method=method,
        url="/x",
        maybe_applied=maybe_applied,
    )


def outcome_lines(path: Any) -> list[str]:
    """The audit log's outcome lines (each write also has a `sent` line before it)."""
    return [line for line in path.read_text().splitlines() if '"event": "outcome"' in line]


def policy(id: str, name: str, odata_type: str = SECURITY_TYPE) -> dict[str, Any]:
    return {"id": id, "@odata.type": odata_type, "displayName": name, "priority": 1}


@dataclass
class FakeGraph:
    """`creates`: what each POST create gets, in order (an id, or an exception to raise).
    `listings`: what each listing returns, in order (items, or an exception to raise).
    `statuses`: the status of a $batch item by step id (default 200).
    `deletes`: what each DELETE sent on its own (a compensation) gets: None for a 204, or an
    exception to raise."""

    creates: list[str | Exception] = field(default_factory=list)
    deletes: list[Exception | None] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    listings: list[list[dict[str, Any]] | Exception] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    posts: list[tuple[str, Any]] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    batched: list[BatchRequest] = field(default_factory=list)

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotent: bool = True,
        before_send: Callable[[int], None] | None = None,
        **_: Any,
    ) -> GraphResponse:
        if method == "DELETE":  # a compensation: the only other write sent on its own
            self.deleted.append(path)
            failure = self.deletes.pop(0) if self.deletes else None
            if failure is not None:
                raise failure
            return GraphResponse(
                status=204, headers={}, body=None, request_id="rid-delete", client_request_id="c"
            )
        assert (method, idempotent) == ("POST", False), "only creates are sent on their own"
        self.posts.append((path, json))
        if before_send is not None:
            before_send(1)
        outcome = self.creates.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return GraphResponse(
            status=201,
            headers={"request-id": "rid-create"},
            body={"id": outcome, **(json or {})},
            request_id="rid-create",
            client_request_id="crid",
        )

    def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
        self.listed.append(path)
        outcome = self.listings.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    cancelled = False  # the runner asks, between rounds, whether a signal cancelled it

    def batch(
        self, requests: Sequence[BatchRequest], hooks: Hooks = NO_HOOKS
    ) -> dict[str, BatchResult]:
        self.batched.extend(requests)
        if hooks.on_sent:
            hooks.on_sent([r.id for r in requests], 1)
        results = {}
        for request in requests:
            status = self.statuses.get(request.id, 200)
            rid = f"rid-{request.id}"
            error = graph_error(status, request.method, request_id=rid) if status >= 400 else None
            results[request.id] = BatchResult(
                id=request.id,
                status=status,
                headers={},
                body=None,
                request_id=rid,
                error=error,
            )
            if hooks.on_result:
                hooks.on_result(results[request.id])
        return results
