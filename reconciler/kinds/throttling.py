"""The throttle classes of the Graph services the kinds live in: the documented per-app limits,
and which classes a client paces as one bucket.

Facts (graph-spec.md §3.2, graph-intune/settings-catalog.md §6.2): Intune's "device
configuration" and "device configuration v2" service limits are listed separately, with the
same numbers per app per tenant: 1,000 requests of any method and 100 writes (POST, PUT,
PATCH, DELETE) per 20 seconds; each `$batch` item counts as a request. Whether the two
share a bucket is not documented. `officeConfiguration` has no documented limits; the Intune
numbers are its conservative reference.

What this module decides from them: every class has its own record (its own numbers, if
they ever differ), and classes with the same `bucket` are paced as one. Until sharing is
verified, all three are in one bucket: if the service keeps them apart, a plan that reads
two of them at once is paced at half the rate it could have; if it shares them, pacing them
apart would draw 429s. The first costs time, the second costs the tenant's other users.
"""

from __future__ import annotations

from dataclasses import dataclass

Rate = tuple[int, float]  # N requests per SECONDS


@dataclass(frozen=True, kw_only=True)
class ThrottleClass:
    name: str  # as the service's limits are titled
    requests: Rate = (1000, 20.0)  # any method, per app per tenant, $batch items counted
    writes: Rate = (100, 20.0)  # POST, PUT, PATCH, DELETE, per app per tenant
    bucket: str = "intune"  # classes with one bucket are paced as one

    @property
    def request_rate(self) -> float:
        return self.requests[0] / self.requests[1]

    @property
    def write_rate(self) -> float:
        return self.writes[0] / self.writes[1]


DEVICE_CONFIGURATION_V2 = ThrottleClass(name="Intune device configuration v2")
DEVICE_CONFIGURATION = ThrottleClass(name="Intune device configuration")
OFFICE_CONFIGURATION = ThrottleClass(
    name="officeConfiguration (no documented limits: Intune's numbers as the reference)"
)
# What a path of no kind's service is paced as (the client never reads one today).
DEFAULT = DEVICE_CONFIGURATION
