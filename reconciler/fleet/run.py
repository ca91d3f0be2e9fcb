"""Tenants side by side: `--concurrency` at a time, each on its own thread and client, one
tenant's failure (any exception) its own outcome, never the end of the others.

`Stop` is what a signal handler reaches: the clients of the tenants running now (to cancel
them, as a single apply's first signal does) and a flag that starts no new tenant.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from reconciler.errors import ManifestError
from reconciler.fleet.preflight import Reason, classify
from reconciler.fleet.spec import Tenant

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Failed:
    """A tenant whose work ended early, and why."""

    reason: Reason
    message: str
    hint: str = ""
    details: tuple[str, ...] = ()  # every located problem of the tenant's manifests


@dataclass(frozen=True)
class Outcome(Generic[T]):
    tenant: Tenant
    result: T | None = None
    failed: Failed | None = None


@dataclass
class Stop:
    """Cancels the clients of running tenants; `stopped` keeps new ones from starting."""

    stopped: threading.Event = field(default_factory=threading.Event)
    _clients: dict[int, Any] = field(default_factory=dict)
    _controls: dict[int, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, client: Any, control: Any = None) -> None:
        with self._lock:
            self._clients[id(client)] = client
            if control is not None:
                self._controls[id(client)] = control
            if self.stopped.is_set():
                client.cancel()

    def leave(self, client: Any) -> None:
        with self._lock:
            self._clients.pop(id(client), None)
            self._controls.pop(id(client), None)

    def stop(self) -> None:
        with self._lock:
            self.stopped.set()
            for client in self._clients.values():
                client.cancel()

    def abort(self) -> int:
        """Every runner records its writes in flight as unknown; how many there were."""
        with self._lock:
            controls = list(self._controls.values())
        flying = 0
        for control in controls:
            if control.runner is not None:
                flying += len(control.runner.abort())
        return flying


def run_tenants(
    tenants: Sequence[Tenant],
    work: Callable[[Tenant], T],
    *,
    concurrency: int,
    stop: Stop,
    on_done: Callable[[Outcome[T]], None] | None = None,
) -> list[Outcome[T]]:
    """`work` for each tenant, `concurrency` at a time; outcomes in the tenants' order."""

    def guarded(tenant: Tenant) -> Outcome[T]:
        if stop.stopped.is_set():
            return Outcome(tenant, failed=Failed(Reason.INTERRUPTED, "not started: interrupted"))
        try:
            return Outcome(tenant, result=work(tenant))
        except Exception as error:  # one tenant's failure, whatever it is, is its own
            reason, message = classify(error)
            if reason is Reason.INTERNAL:
                log.debug("tenant %s failed", tenant.name, exc_info=True)
            hint = getattr(error, "hint", "") or ""
            issues = error.issues if isinstance(error, ManifestError) else []
            details = tuple(str(issue) for issue in issues)
            return Outcome(tenant, failed=Failed(reason, message, hint, details))

    outcomes: dict[str, Outcome[T]] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="tenant") as pool:
        futures = [pool.submit(guarded, tenant) for tenant in tenants]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.tenant.name] = outcome
            if on_done is not None:
                on_done(outcome)
    return [outcomes[t.name] for t in tenants]
