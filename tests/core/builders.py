"""Hand-built desired and live values for the pure-core tests (no files, no HTTP)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reconciler.engine.planner import make_plan
from reconciler.kinds.kind import sorted_assignments
from reconciler.values.desired import Desired, DesiredResource, SourcePosition
from reconciler.values.live import Live, LiveObject
from reconciler.values.plan import Plan
from tests.support.tenant import GROUP_A, SECURITY

GRAPH = "http://127.0.0.1:1/beta"


def groups(values: Any) -> Any:
    """Group ids written as a plain list, in the comparable form assignments take."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return values
    return sorted_assignments([{"target": "group", "groupId": g.lower()} for g in values])


def resource(
    name: str,
    kind: str = SECURITY,
    *,
    id: str | None = None,
    ignore: tuple[str, ...] = (),
    **spec: Any,
) -> DesiredResource:
    if "assignments" in spec:
        spec["assignments"] = groups(spec["assignments"])
    positions = {"": SourcePosition(file=f"{name}.yaml", line=1, column=1)}
    for index, key in enumerate(spec):
        positions[f"/spec/{key}"] = SourcePosition(file=f"{name}.yaml", line=5 + index, column=3)
    return DesiredResource(
        kind=kind,
        name=name,
        id=id,
        spec=spec,
        ignore=ignore,
        file=f"{name}.yaml",
        positions=positions,
    )


def desired(*resources: DesiredResource, scope: tuple[str, ...] = ()) -> Desired:
    return Desired(resources=resources, manifest_hash="h" * 64, scope=scope)


def obj(id: str, kind: str = SECURITY, **body: Any) -> LiveObject:
    base: dict[str, Any] = {
        "id": id,
        "description": None,
        "policyPayload": None,
        "userPreferencePayload": None,
        "assignments": [],
    }
    base.update(body)
    base["assignments"] = groups(base["assignments"])
    return LiveObject(kind=kind, id=id, body=base)


def in_sync() -> tuple[Desired, Live]:
    """One policy declared with every kind of field, and the tenant that already matches it."""
    fields: dict[str, Any] = dict(
        displayName="A",
        priority=1,
        description="x",
        policyPayload={"k": 1},
        assignments=[GROUP_A],
    )
    return desired(resource("a", **fields)), live(obj("id-a", **fields))


def live(*objects: LiveObject, reads: int = 3) -> Live:
    singleton = LiveObject(kind="OfficeConfiguration", id=None, body={})
    return Live(graph_url=GRAPH, objects=(singleton, *objects), read_requests=reads)


def a_and_unmanaged_x() -> Live:
    """A (priority 1), which the manifests below manage, and the unmanaged X (2)."""
    return live(obj("id-a", displayName="A", priority=1), obj("id-x", displayName="X", priority=2))


def prune_x(tenant: Live, now: datetime) -> Plan:
    """--prune over `a_and_unmanaged_x` with the whole tenant in scope: X is deleted."""
    wanted = desired(resource("a", displayName="A", priority=1), scope=("*/*",))
    return make_plan(wanted, tenant, now=now, prune=True)
