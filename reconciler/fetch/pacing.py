"""When to send: the write token bucket, Retry-After parsing and backoff budgets.

Pure timing logic, no HTTP, so graph.py and batching.py share one retry policy.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime

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
        if n <= 0:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= n
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


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


@dataclass
class RetryBudget:
    """Attempts and total wait left for one logical request (or one $batch chunk).

    `next_delay` returns how long to sleep before the next attempt, or None when the budget
    is spent and the caller must give up with the last error.
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

    def next_delay(self, retry_after: float | None, *, progress: bool = False) -> float | None:
        """`progress`: the last exchange settled something (some $batch items got through),
        so it does not count against `max_attempts`; the total wait still does."""
        if not progress and self.attempts >= self.max_attempts:
            return None
        delay = self.backoff() if retry_after is None else retry_after
        if self.waited + delay > self.max_total_wait:
            return None
        if not progress:
            self.attempts += 1
        self.waited += delay
        return delay
