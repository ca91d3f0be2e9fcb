"""Request counters served at ``GET /_emulator/stats`` (format in the package docstring)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

_SCALARS = (
    "total",
    "batch_items",
    "writes",
    "writes_ok",
    "throttled",
    "failed_injected",
    "dropped",
    "dropped_after_apply",
    "token_requests",
    "device_codes",
    "authorizations",
    "ci_id_tokens",
)
WRITE_LOG_LIMIT = 10_000  # entries; a long-running demo must not grow without bound


class Stats:
    """Thread-safe counters; route keys are ``"METHOD /path/{id}/pattern"``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._scalars: Counter[str] = Counter({name: 0 for name in _SCALARS})
            self._by_route: Counter[str] = Counter()
            self._batch_by_route: Counter[str] = Counter()
            self._by_grant: Counter[str] = Counter()
            self._by_tenant: Counter[str] = Counter()
            self._write_log: list[dict[str, Any]] = []
            self._user_agents: Counter[str] = Counter()
            self._attempts: list[dict[str, str]] = []

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self._scalars[name] += amount

    def grant(self, grant_type: str) -> None:
        """Count a token request under its grant type."""
        with self._lock:
            self._by_grant[grant_type] += 1

    def tenant(self, tenant: str) -> None:
        """Count a Graph request (top-level or a $batch item) under the tenant it reached
        (multi-tenant mode)."""
        with self._lock:
            self._by_tenant[tenant] += 1

    def request(self, route_key: str, *, in_batch: bool, is_write: bool) -> None:
        """Count a Graph request as it arrives, whatever becomes of it."""
        with self._lock:
            if in_batch:
                self._scalars["batch_items"] += 1
                self._batch_by_route[route_key] += 1
            else:
                self._scalars["total"] += 1
                self._by_route[route_key] += 1
            if is_write:
                self._scalars["writes"] += 1

    def client(self, headers: dict[str, str]) -> None:
        """Who sent a request and how it correlates: User-Agent, and each request's
        client-request-id with its Retry-Attempt (graph-spec §3.8), capped."""
        with self._lock:
            self._user_agents[headers.get("user-agent", "")] += 1
            if len(self._attempts) < WRITE_LOG_LIMIT:
                self._attempts.append(
                    {
                        "client_request_id": headers.get("client-request-id", ""),
                        "retry_attempt": headers.get("retry-attempt", ""),
                    }
                )

    def log_write(self, method: str, path: str, status: int | None) -> None:
        """Remember one write's target and status (None: dropped before it was applied)."""
        with self._lock:
            if len(self._write_log) < WRITE_LOG_LIMIT:
                self._write_log.append({"method": method, "path": path, "status": status})

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            result: dict[str, Any] = {name: self._scalars[name] for name in _SCALARS}
            result["by_route"] = dict(sorted(self._by_route.items()))
            result["batch_items_by_route"] = dict(sorted(self._batch_by_route.items()))
            result["token_requests_by_grant"] = dict(sorted(self._by_grant.items()))
            result["by_tenant"] = dict(sorted(self._by_tenant.items()))
            result["write_log"] = [dict(entry) for entry in self._write_log]
            result["user_agents"] = dict(sorted(self._user_agents.items()))
            result["attempts"] = [dict(entry) for entry in self._attempts]
            return result
