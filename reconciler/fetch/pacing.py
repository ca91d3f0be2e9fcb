"""When to send: the client's token buckets, Retry-After parsing and backoff budgets.

Pure timing logic, no HTTP, so client.py and batching.py share one retry policy.

Pacing (`Pacer`): Graph's service limits are token buckets per app per tenant (Intune: 1,000
requests of any method and 100 writes per 20 s, each `$batch` item counted: see
`reconciler.kinds.throttling`). The client keeps one bucket of each per throttle bucket of
the kinds, filled to a `budget` share of the documented numbers, and takes a request's units
from them before it goes out: reads are scheduled to stay under the limit instead of
running into 429s (and writes count against the request limit too). A 429 that gets
through anyway (the tenant's bucket was drained by someone else) empties the matching
bucket until its Retry-After has passed, so concurrent senders wait it out together
instead of each waking into the next 429.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

from reconciler.kinds.throttling import ThrottleClass

RETRY_STATUSES = frozenset({429, 503, 504})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0


def is_write(method: str) -> bool:
    return method.upper() in WRITE_METHODS


class TokenBucket:
    """Thread-safe token bucket: `rate` tokens per second, at most `burst` saved up.

    `acquire(n)` reserves n tokens at once and sleeps off any debt outside the lock, so
    concurrent callers queue fairly instead of spinning.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock or time.monotonic
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = self._clock()
        self._lock = threading.Lock()

    def acquire(self, n: int = 1) -> float:
        """Take n tokens, waiting as long as needed. Returns the time waited."""
        wait = self.reserve(n)
        if wait > 0:
            self._sleep(wait)
        return wait

    def reserve(self, n: int) -> float:
        """Take n tokens now (going into debt); the seconds until they are covered."""
        if n <= 0:
            return 0.0
        with self._lock:
            self._refill()
            self._tokens -= n
            return -self._tokens / self.rate if self._tokens < 0 else 0.0

    def defer(self, seconds: float) -> None:
        """No token is free for `seconds` from now (the server said Retry-After), unless
        the bucket's debt already reaches that far."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 1.0 - seconds * self.rate)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now


Item = tuple[str, str]  # (path relative to the Graph base URL, method)


class Pacer:
    """The client's buckets: for each throttle bucket of the kinds, one for requests of any
    method (`$batch` items counted one by one) and one for writes.

    `routes` maps path prefixes to bucket names (longest first); a path under none of
    them is paced in the `default` bucket, or not at all when `default` is None.
    """

    def __init__(
        self,
        *,
        routes: Sequence[tuple[str, str]],
        requests: Mapping[str, TokenBucket],
        writes: Mapping[str, TokenBucket],
        default: str | None,
    ) -> None:
        self._routes = sorted(routes, key=lambda route: -len(route[0]))
        self._requests = dict(requests)
        self._writes = dict(writes)
        self._default = default

    @classmethod
    def for_classes(
        cls,
        routes: Sequence[tuple[str, ThrottleClass]],
        *,
        budget: float | None,
        write_rate: float | None = None,
        write_burst: int = 20,
        default: ThrottleClass | None = None,
        clock: Callable[[], float] | None = None,
    ) -> Pacer:
        """Buckets for the throttle classes of `routes`: `budget` (0 < b <= 1) of each
        class's documented request limit (None: requests unpaced), and writes at
        `write_rate` per second when given, else at `budget` of the class's write limit
        (None and no budget: writes unpaced too). The first class named for a bucket
        sets its numbers. `write_rate` 0: writes unpaced whatever the budget."""
        classes: dict[str, ThrottleClass] = {}
        for _, found in routes:
            classes.setdefault(found.bucket, found)
        if default is not None:
            classes.setdefault(default.bucket, default)
        requests: dict[str, TokenBucket] = {}
        writes: dict[str, TokenBucket] = {}
        for name, found in classes.items():
            if budget is not None:
                burst = max(1, int(budget * found.requests[0]))
                requests[name] = TokenBucket(budget * found.request_rate, burst, clock=clock)
            if write_rate is None:
                rate = budget * found.write_rate if budget else None
            else:
                rate = write_rate or None
            if rate:
                writes[name] = TokenBucket(rate, write_burst, clock=clock)
        return cls(
            routes=[(prefix, found.bucket) for prefix, found in routes],
            requests=requests,
            writes=writes,
            default=default.bucket if default is not None else None,
        )

    @classmethod
    def writes_only(
        cls, rate: float, burst: int, *, clock: Callable[[], float] | None = None
    ) -> Pacer:
        """Every write in one bucket, reads unpaced: `GraphClient(write_rate=...)`."""
        return cls(
            routes=[], requests={}, writes={"": TokenBucket(rate, burst, clock=clock)}, default=""
        )

    @property
    def write_burst(self) -> int | None:
        """The most writes any bucket lets out at once (a $batch chunk's write limit)."""
        bursts = [bucket.burst for bucket in self._writes.values()]
        return min(bursts) if bursts else None

    def bucket_of(self, path: str) -> str | None:
        path = path.split("?", 1)[0]
        for prefix, name in self._routes:
            if path == prefix or path.startswith((prefix + "/", prefix + "(")):
                return name
        return self._default

    def reserve(self, items: Sequence[Item]) -> tuple[float, bool]:
        """Take the tokens `items` need, all at once: the seconds until they are covered
        (the caller waits them out before sending) and whether writes set that wait."""
        units: dict[str, list[int]] = {}
        for path, method in items:
            name = self.bucket_of(path)
            if name is not None:
                counts = units.setdefault(name, [0, 0])
                counts[0] += 1
                counts[1] += is_write(method)
        waits = [(0.0, False)]
        for name, (requests, writes) in units.items():
            if name in self._requests:
                waits.append((self._requests[name].reserve(requests), False))
            if writes and name in self._writes:
                waits.append((self._writes[name].reserve(writes), True))
        wait, for_writes = max(waits)
        return wait, for_writes and wait > 0

    def throttled(self, items: Sequence[Item], seconds: float) -> None:
        """Graph answered these items 429 with Retry-After `seconds`: their buckets (and,
        for writes, the write buckets) give out nothing until then."""
        for path, method in items:
            name = self.bucket_of(path)
            if name is None:
                continue
            if name in self._requests:
                self._requests[name].defer(seconds)
            if is_write(method) and name in self._writes:
                self._writes[name].defer(seconds)


def parse_retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header: float seconds (Graph sends '2.128') or an
    HTTP-date. None when absent or unreadable, so the caller falls back to backoff."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


# A throttled request told to come back at once, again and again, still spends this much of
# its wait budget per try: "waiting is progress" must not become an endless loop.
MIN_COUNTED_WAIT = 0.1


@dataclass
class RetryBudget:
    """Attempts and total wait left for one logical request (or one $batch chunk).

    `next_delay` returns how long to sleep before the next attempt, or None when the budget
    is spent and the caller must give up with the last error. A 429 with a Retry-After is
    the service scheduling the request, not a failure: waiting it out uses no attempt, only
    wait time (at least MIN_COUNTED_WAIT a try), so a drained tenant bucket is waited out
    for up to `max_total_wait` seconds however many tries that takes.
    """

    max_attempts: int
    max_total_wait: float
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 1
    waited: float = 0.0

    def backoff(self) -> float:
        # Full jitter (AWS architecture blog): spreads retries of concurrent callers apart.
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (self.attempts - 1))
        return self.rng.uniform(0, ceiling)

    def next_delay(
        self, retry_after: float | None, *, progress: bool = False, throttled: bool = False
    ) -> float | None:
        """`progress`: the last exchange settled something (some $batch items got through),
        so it does not count against `max_attempts`; the total wait still does. `throttled`:
        the answer was a 429; with a Retry-After, that is progress too."""
        scheduled = throttled and retry_after is not None
        if not (progress or scheduled) and self.attempts >= self.max_attempts:
            return None
        delay = self.backoff() if retry_after is None else retry_after
        counted = max(delay, MIN_COUNTED_WAIT) if scheduled else delay
        if self.waited + counted > self.max_total_wait:
            return None
        if not (progress or scheduled):
            self.attempts += 1
        self.waited += counted
        return delay
