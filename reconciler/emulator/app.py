"""The request pipeline: counting, latency, injected faults, auth, throttling, then a handler.

Order for a top-level ``/beta`` request: count it, sleep ``latency_ms``, maybe fail it
with 503 (nothing applied), check the bearer token (401), take throttling tokens (429;
the ``$batch`` envelope takes none, its items do), maybe decide to drop the connection
(half the time before the handler runs, half after it applied its change), run the
handler. A ``$batch`` item goes through the same steps except auth (checked once for the
envelope) and dropping (one connection carries the whole batch); its latency is
``batch_item_latency_ms`` (Graph runs items side by side, not for free), added to the
envelope's ``latency_ms``. Every reply
carries ``request-id`` and ``client-request-id`` headers.

Stats, reset and tenant dump under ``/_emulator`` bypass all of this; the identity
endpoints (token, discovery, managed identity) are only counted (``token_requests``).

Multi-tenant mode: once the token is checked, the request (and each of its ``$batch``
items) is served by the tenant its token was issued for (``auth.Caller``), with that
tenant's throttle buckets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.emulator import batch, routing
from reconciler.emulator.auth import Authenticator
from reconciler.emulator.config import Config
from reconciler.emulator.errors import ApiError, error_body
from reconciler.emulator.faults import Chaos, Drop, Throttler, retry_after
from reconciler.emulator.messages import Request, Response, stamp
from reconciler.emulator.stats import Stats
from reconciler.emulator.tenant import Tenant


@dataclass
class Outcome:
    """A top-level reply, or the instruction to cut the connection instead of sending it."""

    response: Response
    drop: Drop | None = None


class EmulatorApp:
    """Everything behind the HTTP server: config, tenant, counters and fault injection."""

    def __init__(
        self, config: Config, tenant: Tenant, tenants: Mapping[str, Tenant] | None = None
    ) -> None:
        self._config = config
        self._config_lock = threading.Lock()
        self.tenant = tenant  # the only tenant, or the first of several
        # Multi-tenant mode: every tenant by its (lower-case) id.
        self.tenants: dict[str, Tenant] = dict(tenants or {})
        self.stats = Stats()
        self.chaos = Chaos(config.random_seed)
        self.throttler = Throttler(config)
        self.auth = Authenticator(config)

    @property
    def config(self) -> Config:
        return self._config

    def configure(self, **changes: Any) -> Config:
        """Change options at runtime; throttling buckets start full again."""
        if "tenants" in changes and tuple(changes["tenants"]) != self._config.tenants:
            raise ValueError("the tenants an emulator serves are fixed when it starts")
        with self._config_lock:
            config = self._config.updated(**changes)
            self._config = config
            self.throttler.reconfigure(config)
            self.auth.reconfigure(config)
            if "random_seed" in changes:
                self.chaos = Chaos(config.random_seed)
            return config

    # -- Graph requests ------------------------------------------------------------------

    def handle_graph(self, request: Request) -> Outcome:
        is_batch = request.path == routing.BATCH
        resolved = None if is_batch else routing.resolve(self.tenant.routes, request.path)
        pattern = routing.BATCH if is_batch else _pattern(resolved)
        self.stats.request(
            f"{request.method} {pattern}",
            in_batch=False,
            is_write=request.is_write and not is_batch,
        )
        self.stats.client(request.headers)
        if self._config.latency_ms > 0:
            time.sleep(self._config.latency_ms / 1000)
        drop: Drop | None = None
        try:
            self._inject_failure()
            tenant = self._identify(request)
            if request.tenant and not is_batch:  # a $batch counts by its items
                self.stats.tenant(request.tenant)
            if tenant is not self.tenant and not is_batch:
                resolved = routing.resolve(tenant.routes, request.path)
            if is_batch and request.method != "POST":
                raise ApiError(
                    405, "methodNotAllowed", "$batch accepts POST only.", headers={"Allow": "POST"}
                )
            if not is_batch:
                self._throttle(request)
            drop = self.chaos.drop(self._config.drop_rate)
            if drop is not None and drop.when == "before":
                self.stats.add("dropped")
                if request.is_write and not is_batch:
                    self.stats.log_write(request.method, request.path, None)
                return Outcome(Response.empty(), drop)
            if is_batch:
                response = batch.run(request, self._run_item, self.chaos.shuffle)
            else:
                response = self._dispatch(request, resolved)
        except ApiError as error:
            response = self._error(error, request)
        self._finish(request, response, counts_as_write=not is_batch)
        if drop is not None:
            self.stats.add("dropped")
            self.stats.add("dropped_after_apply")
        return Outcome(response, drop)

    def _identify(self, request: Request) -> Tenant:
        """Check the caller's token; set who it is on the request; the tenant serving it."""
        caller = self.auth.identify(request.headers)
        request.app, request.roles = caller.app, caller.roles
        if not self.tenants:
            return self.tenant
        tenant = self.tenants.get(caller.tenant) if caller.tenant else self.tenant
        if tenant is None:  # a token of a tenant not served (cannot be issued here)
            raise ApiError(401, "InvalidAuthenticationToken", "The token's tenant is unknown.")
        request.tenant = caller.tenant or next(iter(self.tenants))
        return tenant

    def tenant_of(self, request: Request) -> Tenant:
        """The tenant serving an identified request."""
        return self.tenants[request.tenant] if request.tenant else self.tenant

    def _run_item(self, request: Request) -> Response:
        if request.tenant:
            self.stats.tenant(request.tenant)
        resolved = routing.resolve(self.tenant_of(request).routes, request.path)
        self.stats.request(
            f"{request.method} {_pattern(resolved)}", in_batch=True, is_write=request.is_write
        )
        if self._config.batch_item_latency_ms > 0:
            time.sleep(self._config.batch_item_latency_ms / 1000)
        try:
            self._inject_failure()
            self._throttle(request)
            response = self._dispatch(request, resolved)
        except ApiError as error:
            response = self._error(error, request)
        self._finish(request, response, counts_as_write=True)
        return response

    def _inject_failure(self) -> None:
        wait = self.chaos.fail(self._config.fail_rate)
        if wait is not None:
            self.stats.add("failed_injected")
            raise _retry_later(503, "serviceNotAvailable", "Service unavailable (injected).", wait)

    def _throttle(self, request: Request) -> None:
        wait = self.throttler.admit(request.app, is_write=request.is_write, tenant=request.tenant)
        if wait is not None:
            self.stats.add("throttled")
            raise _retry_later(429, "TooManyRequests", "Too many requests.", wait)

    def _dispatch(
        self, request: Request, resolved: tuple[routing.Route, dict[str, str]] | None
    ) -> Response:
        if resolved is None:
            raise routing.unknown_segment(request.path)
        return routing.dispatch(resolved[0], resolved[1], request)

    def _error(self, error: ApiError, request: Request) -> Response:
        body = error_body(
            error.code,
            error.message,
            request_id=request.request_id,
            client_request_id=request.client_request_id,
            status=error.status,
            extra_inner=error.inner,
        )
        return Response.of_json(error.status, body, error.headers)

    def _finish(self, request: Request, response: Response, *, counts_as_write: bool) -> None:
        stamp(request, response)
        if counts_as_write and request.is_write:
            self.stats.log_write(request.method, request.path, response.status)
            if 200 <= response.status < 300:
                self.stats.add("writes_ok")

    # -- outside /beta -------------------------------------------------------------------

    def handle_identity(self, path: str, request: Request) -> Response | None:
        """The identity endpoints (see ``emulator.auth``); None when ``path`` is none of them."""
        answer = self.auth.answer(path, request)
        if answer is None:
            return None
        if answer.counter is not None:
            self.stats.add(answer.counter)
        if answer.grant is not None:
            self.stats.grant(answer.grant)
        headers = {"Cache-Control": "no-store", **answer.headers}
        if isinstance(answer.body, str):
            page = answer.body.encode("utf-8")
            response = Response(answer.status, page, {"Content-Type": "text/html; charset=utf-8"})
            response.headers.update(headers)
        else:
            response = Response.of_json(answer.status, answer.body, headers)
        return stamp(request, response)

    def handle_control(self, request: Request) -> Response:
        """``GET /_emulator/stats``, ``POST /_emulator/reset``, ``GET /_emulator/tenant``."""
        try:
            response = self._control(request)
        except ApiError as error:
            response = self._error(error, request)
        return stamp(request, response)

    def _chosen(self, request: Request) -> list[Tenant]:
        """The tenants ``?tenant=ID`` names (every one when absent, the first for a dump)."""
        wanted = request.query.get("tenant", "").strip().lower()
        if not wanted:
            return list(self.tenants.values()) or [self.tenant]
        if wanted not in self.tenants:
            raise ApiError(404, "itemNotFound", f"The emulator serves no tenant '{wanted}'.")
        return [self.tenants[wanted]]

    def _control(self, request: Request) -> Response:
        action = request.path.removeprefix("/_emulator/")
        if action == "stats" and request.method == "GET":
            return Response.of_json(200, self.stats.snapshot())
        if action == "tenants" and request.method == "GET":
            return Response.of_json(200, {"tenants": list(self.tenants)})
        if action == "tenant" and request.method == "GET":
            return Response.of_json(200, self._chosen(request)[0].snapshot())
        if action == "reset" and request.method == "POST":
            body = request.json() if request.body.strip() else {}
            wipe = request.query.get("state", "").lower() in ("1", "true") or (
                isinstance(body, dict) and body.get("state") is True
            )
            drain = request.query.get("drain", "").lower() in ("1", "true") or (
                isinstance(body, dict) and body.get("drain") is True
            )
            chosen = self._chosen(request)
            self.stats.reset()
            if wipe:
                for tenant in chosen:
                    tenant.clear()
            if drain:
                self.throttler.drain()
            return Response.of_json(200, {"reset": True, "state": wipe, "drain": drain})
        raise ApiError(404, "itemNotFound", f"No emulator control endpoint {request.path}.")

    def not_found(self, request: Request) -> Response:
        error = ApiError(
            404, "itemNotFound", f"No resource at {request.path}; the Graph surface is under /beta."
        )
        return stamp(request, self._error(error, request))


def _pattern(resolved: tuple[routing.Route, dict[str, str]] | None) -> str:
    return resolved[0].pattern if resolved is not None else "(unmatched)"


def _retry_later(status: int, code: str, message: str, wait: float) -> ApiError:
    header = retry_after(wait)
    text = f"{message} Retry after {header} seconds (Retry-After)."
    return ApiError(status, code, text, headers={"Retry-After": header})
