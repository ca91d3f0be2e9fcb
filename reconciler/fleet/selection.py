"""Which tenants a run covers: `--shard K/N`, `--tenant NAME` and `--ring RING`.

A shard is chosen by the tenant id alone: SHA-256 of the lower-case id, as a big-endian
integer, modulo N. Adding or removing a tenant never moves another to a different shard,
and K runs from 0 to N-1 as a Kubernetes Indexed Job's completion index does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.errors import ConfigError
from reconciler.fleet.spec import Fleet, Tenant


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, tenant_id: str) -> bool:
        return shard_of(tenant_id, self.count) == self.index


def shard_of(tenant_id: str, count: int) -> int:
    digest = hashlib.sha256(tenant_id.strip().lower().encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % count


def parse_shard(text: str) -> Shard:
    """`K/N` with 0 <= K < N."""
    index, sep, count = text.partition("/")
    try:
        shard = Shard(int(index), int(count))
    except ValueError:
        shard = Shard(-1, 0)
    if not sep or shard.count < 1 or not 0 <= shard.index < shard.count:
        raise ConfigError(
            f"--shard {text}: expected K/N with 0 <= K < N, e.g. 0/4",
            hint="K is the shard's index (a Kubernetes completion index), N how many there are.",
        )
    return shard


def select(
    fleet: Fleet,
    *,
    names: Sequence[str] = (),
    ring: str | None = None,
    shard: Shard | None = None,
) -> list[Tenant]:
    """The tenants named (all when none is), in the ring, in the shard: in fleet-file order.
    ConfigError for a name or ring the fleet does not have."""
    for name in names:
        if fleet.tenant(name) is None:
            known = ", ".join(t.name for t in fleet.tenants)
            raise ConfigError(f"--tenant {name}: no such tenant in {fleet.file} ({known})")
    if ring is not None and ring not in fleet.rings():
        known = ", ".join(fleet.rings()) or "none"
        raise ConfigError(f"--ring {ring}: no tenant of {fleet.file} is in it (rings: {known})")
    wanted = {n.casefold() for n in names}
    return [
        t
        for t in fleet.tenants
        if (not wanted or t.name.casefold() in wanted)
        and (ring is None or t.ring == ring)
        and (shard is None or shard.holds(t.tenant_id))
    ]
