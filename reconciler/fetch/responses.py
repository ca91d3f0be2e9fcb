"""The values graph.py hands out: responses, batch requests and results, and its counters."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.errors import GraphError


@dataclass(frozen=True, kw_only=True)
class GraphResponse:
    """A successful (2xx) answer.

    `body` is parsed JSON (a single entity wrapped as {"value": {...}} is left as is; use
    `GraphClient.get_entity` to unwrap), bytes for non-JSON content, None when empty.
    `headers` is case-insensitive.
    """

    status: int
    headers: Mapping[str, str]
    body: Any
    request_id: str
    client_request_id: str


@dataclass(frozen=True, kw_only=True)
class BatchRequest:
    """One $batch item. `url` is relative to the base URL ("/officeConfiguration/...").

    `body` is a JSON value, or bytes (sent base64 with `content_type`, default
    application/octet-stream). `depends_on` names another request of the same `batch` call;
    linked requests always travel in one $batch request, in dependency order.
    `idempotent=False` (POST creates) is retried on 429 only: after a 5xx it may have landed.
    """

    id: str
    method: str
    url: str
    body: Any = None
    content_type: str | None = None
    depends_on: str | None = None
    idempotent: bool = True


@dataclass(frozen=True, kw_only=True)
class BatchResult:
    """One item's final answer after per-item retries.

    `body` is parsed JSON, bytes (base64-decoded for non-JSON content types) or None.
    `error` is the translated error when `status >= 400` (424 included: its prerequisite
    failed), else None.
    """

    id: str
    status: int
    headers: Mapping[str, str]
    body: Any
    request_id: str
    error: GraphError | None  # GraphHTTPError; with `partial`, also a failed or unsent chunk's


@dataclass
class ClientStats:
    """Thread-safe counters. `requests` counts HTTP requests sent, retries included;
    `batches` the $batch requests among them that were answered;
    `batch_items` counts $batch items sent (retried items again); `throttled` counts 429s,
    top-level or per item."""

    requests: int = 0
    batches: int = 0  # $batch requests answered (each also counted in `requests`)
    batch_items: int = 0
    retries: int = 0
    throttled: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(
        self,
        *,
        method: str = "",
        batches: int = 0,
        batch_items: int = 0,
        retries: int = 0,
        throttled: int = 0,
    ) -> None:
        with self._lock:
            if method:
                self.requests += 1
                self.by_method[method] = self.by_method.get(method, 0) + 1
            self.batches += batches
            self.batch_items += batch_items
            self.retries += retries
            self.throttled += throttled

    @property
    def units(self) -> int:
        """Request units as Graph counts them against its limits: every request, except
        that a $batch counts as the items it carries."""
        with self._lock:
            return self.requests - self.batches + self.batch_items

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "batch_items": self.batch_items,
                "retries": self.retries,
                "throttled": self.throttled,
                "by_method": dict(self.by_method),
            }
