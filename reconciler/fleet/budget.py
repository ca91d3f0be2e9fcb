"""The fleet as a whole stays under Graph's global per-app limit.

Each tenant has its own `GraphClient`, with that client's own buckets (the write rate
today; the per-tenant read budget of the live-cost work slots in there). What no single
client can see is the sum over tenants (each tenant's own share, `tenant_rate`, is its
per-app-per-tenant limit, 1,000 requests per 20 s, times the budget): one app is allowed 130,000 requests per 10 s
across all tenants on the current throttling page, 2,000 per second on older copies, and a
fleet must stay under both (graph-spec §3.2), so under 2,000 per second. `FleetCap` is one
token bucket every tenant's client of a run draws from, at `budget` (the share left for
the portal and other tools, 0.7 by default) of that limit, divided among the shards that
may run at once (`--shard K/N`: each of N runs takes an N-th), so that N shards running
side by side stay under it too.

A request counts as Graph counts it: once, or once per item for a `$batch`. The cap is
taken just before each attempt goes out, retries included (every request counts against
the limit, a throttled one too): `CappedAuth` wraps a tenant's credentials, since
requests calls an auth object once per request it sends, which is the one hook a
`GraphClient` offers before each send without replacing its transport.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from reconciler.fetch.pacing import TokenBucket
from reconciler.kinds import throttling

GLOBAL_APP_RATE = 2000.0  # requests per second per app, all tenants (graph-spec §3.2)
TENANT_APP_RATE = throttling.DEFAULT.request_rate  # requests per second per app per tenant
DEFAULT_BUDGET = 0.7  # the share of a limit a run takes (the live-cost issue's rule)
BURST_SECONDS = 1.0  # the cap saves up at most a second of requests


def fleet_rate(*, budget: float, shards: int = 1) -> float:
    """Requests per second one run of the fleet may send."""
    return GLOBAL_APP_RATE * budget / max(1, shards)


def request_units(request: requests.PreparedRequest) -> int:
    """What a request costs in Graph's count: a `$batch` its items, anything else one."""
    path = urlsplit(request.url or "").path
    if not path.endswith("/$batch") or not request.body:
        return 1
    try:
        items = json.loads(request.body).get("requests")
    except (ValueError, AttributeError):
        return 1
    return max(1, len(items)) if isinstance(items, list) else 1


def tenant_rate(*, budget: float) -> float:
    """Requests per second one tenant's client may send: its share of the per-app-per-tenant
    limit (every tenant has its own, so tenants never share this one)."""
    return TENANT_APP_RATE * budget


class FleetCap:
    """One token bucket for every tenant of a run, and a bucket of its own for each tenant's
    client (`wrap`) at `tenant_rate`. `stop()` ends the waits at once."""

    def __init__(self, rate: float, *, tenant_rate: float | None = None) -> None:
        self.rate = rate
        self.tenant_rate = tenant_rate
        self._stopped = threading.Event()
        self._bucket = TokenBucket(rate, max(1, int(rate * BURST_SECONDS)), sleep=self._sleep)
        self._lock = threading.Lock()
        self.units = 0

    def _sleep(self, seconds: float) -> None:
        self._stopped.wait(seconds)

    def acquire(self, units: int) -> float:
        waited = self._bucket.acquire(units)
        with self._lock:
            self.units += units
        return waited

    def stop(self) -> None:
        self._stopped.set()

    def tenant_bucket(self) -> TokenBucket | None:
        if self.tenant_rate is None:
            return None
        burst = max(1, int(self.tenant_rate * BURST_SECONDS))
        return TokenBucket(self.tenant_rate, burst, sleep=self._sleep)

    def wrap(self, auth: requests.auth.AuthBase | None) -> CappedAuth:
        """A tenant's credentials drawing on its own new bucket, then on the fleet's."""
        return CappedAuth(self, auth, self.tenant_bucket())


class CappedAuth(requests.auth.AuthBase):
    """A tenant's credentials (or none), taking the tenant's own bucket and then the fleet
    cap before each request."""

    def __init__(
        self,
        cap: FleetCap,
        inner: requests.auth.AuthBase | None,
        tenant: TokenBucket | None = None,
    ) -> None:
        self._cap = cap
        self._inner = inner
        self.tenant = tenant
        self.units = 0  # this tenant's requests, as Graph counts them

    def token(self) -> str:
        token: Callable[[], str] | None = getattr(self._inner, "token", None)
        if token is None:
            raise AttributeError("no credentials")
        return token()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        units = request_units(request)
        self.units += units
        if self.tenant is not None:
            self.tenant.acquire(units)
        self._cap.acquire(units)
        return self._inner(request) if self._inner is not None else request

    def __repr__(self) -> str:
        return f"CappedAuth({self._inner!r})"
