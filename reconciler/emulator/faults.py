"""Throttling and injected faults: token buckets, 503s and dropped connections.

All randomness comes from one seeded ``random.Random`` so a sequential test run is
reproducible; a draw is only made when its rate is above zero, so turning one fault on
does not change the sequence of another.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, MutableSequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from reconciler.emulator.config import Config, Rate

T = TypeVar("T")


class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``capacity / period`` per second; full
    when made, or (``empty_since``) as refilled from empty at that time."""

    def __init__(self, rate: Rate, now: float, empty_since: float | None = None) -> None:
        self.capacity = float(rate[0])
        self.per_second = rate[0] / rate[1]
        self.tokens = self.capacity
        if empty_since is not None:
            self.tokens = min(self.capacity, max(0.0, now - empty_since) * self.per_second)
        self.updated = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second

    def take(self) -> None:
        self.tokens -= 1


class Throttler:
    """Intune-style limits: writes and all requests, per app and per tenant (twice the app's).

    A refused request takes no tokens, so a client that honours ``Retry-After`` is
    admitted when it comes back. In multi-tenant mode every tenant has buckets of its own
    (``tenant`` names it), for each app and for the tenant as a whole.
    """

    def __init__(self, config: Config, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._drained: float | None = None  # when every bucket was emptied

    def reconfigure(self, config: Config) -> None:
        with self._lock:
            self._config = config
            self._buckets.clear()
            self._drained = None

    def drain(self) -> None:
        """Empty every bucket, of every app, as another client spending the whole limit
        just now would have (for benchmarks: a run that starts throttled)."""
        with self._lock:
            self._buckets.clear()
            self._drained = self._clock()

    def _bucket(self, tenant: str, scope: str, kind: str, now: float) -> TokenBucket:
        bucket = self._buckets.get((tenant, scope, kind))
        if bucket is None:
            count, seconds = (
                self._config.app_writes if kind == "write" else self._config.app_requests
            )
            if scope == "tenant":
                count *= 2
            bucket = TokenBucket((count, seconds), now, self._drained)
            self._buckets[(tenant, scope, kind)] = bucket
        return bucket

    def admit(self, app: str, *, is_write: bool, tenant: str = "") -> float | None:
        """None when admitted (tokens taken), else the seconds to wait before retrying."""
        with self._lock:
            if not self._config.throttle:
                return None
            now = self._clock()
            kinds = ("any", "write") if is_write else ("any",)
            buckets = [
                self._bucket(tenant, scope, kind, now)
                for scope in ("app:" + app, "tenant")
                for kind in kinds
            ]
            wait = max(bucket.wait(now) for bucket in buckets)
            if wait > 0:
                return wait
            for bucket in buckets:
                bucket.take()
            return None


def retry_after(seconds: float) -> str:
    """A fractional ``Retry-After`` value, rounded up to the hundredth so it is never early."""
    return f"{max(math.ceil(seconds * 100) / 100, 0.01):.2f}"


DropWhen = Literal["before", "after"]
DropStyle = Literal["silent", "status", "body"]


@dataclass(frozen=True)
class Drop:
    """A connection to cut: ``before`` the write is applied or ``after`` it, and how much of
    a reply to send first (nothing, part of the status line, or the headers and part of the
    body)."""

    when: DropWhen
    style: DropStyle


class Chaos:
    """Seeded decisions for injected 503s, dropped connections and batch reply order."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def fail(self, rate: float) -> float | None:
        """None, or the ``Retry-After`` seconds of an injected 503 (small, 0.05 to 0.2)."""
        with self._lock:
            if rate <= 0 or self._random.random() >= rate:
                return None
            return self._random.uniform(0.05, 0.2)

    def drop(self, rate: float) -> Drop | None:
        with self._lock:
            if rate <= 0 or self._random.random() >= rate:
                return None
            when: DropWhen = self._random.choice(("before", "after"))
            style: DropStyle = self._random.choice(("silent", "status", "body"))
            return Drop(when, style)

    def shuffle(self, items: MutableSequence[T]) -> None:
        with self._lock:
            self._random.shuffle(items)
