"""Every step of a loaded plan must be the write its change describes.

A checksum proves a plan file was not damaged, not that nobody rebuilt it: an edited plan
with a recomputed checksum could hide a DELETE of another policy inside an innocent-looking
change. Here each step's kind, method and path are derived from its change's action and
the facets of its kind (`kinds.kind`), and a reorder's body from its ordering entries, so
what `apply` sends is always what the rendered plan shows.
"""

from __future__ import annotations

from typing import assert_never

from reconciler.engine.planner import placeholder_path
from reconciler.engine.writes import reorder_body
from reconciler.kinds import REGISTRY
from reconciler.kinds.kind import (
    Assignments,
    Children,
    DeltaAction,
    ReplaceEntity,
    ResourceKind,
    Stream,
)
from reconciler.kinds.registry import Registry
from reconciler.values.plan import Action, Change, Plan, Purpose, Step, StepKind, id_placeholder

_METHOD = {
    StepKind.CREATE: "POST",
    StepKind.PATCH: "PATCH",
    StepKind.PUT: "PUT",
    StepKind.PUT_STREAM: "PUT",
    StepKind.ACTION: "POST",
    StepKind.DELETE: "DELETE",
}
_FACET_WRITES = {StepKind.PUT_STREAM, StepKind.ACTION}
_KINDS = {
    Action.CREATE: {StepKind.CREATE} | _FACET_WRITES,
    Action.UPDATE: {StepKind.PATCH, StepKind.PUT} | _FACET_WRITES,
    Action.DELETE: {StepKind.DELETE},
    Action.REPLACE: {StepKind.CREATE, StepKind.DELETE} | _FACET_WRITES,
    Action.REORDER: {StepKind.ACTION},
}

Write = tuple[StepKind, Purpose | None, str]  # step kind, purpose, path


def _facet_writes(kind: ResourceKind, item: str) -> set[Write]:
    writes: set[Write] = set()
    for facet in kind.facets.values():
        match facet:
            case Stream():
                writes.add((StepKind.PUT_STREAM, None, f"{item}/{facet.segment}"))
            case Assignments():
                writes.add((StepKind.ACTION, Purpose.ASSIGN, f"{item}/{facet.action}"))
            case Children():
                match facet.write:
                    case DeltaAction():
                        writes.add(
                            (StepKind.ACTION, Purpose.CHILDREN, f"{item}/{facet.write.action}")
                        )
                    case ReplaceEntity():
                        writes.add((StepKind.PUT, None, item))
                    case _:
                        assert_never(facet.write)
            case _:
                assert_never(facet)
    return writes


def allowed_writes(change: Change, kind: ResourceKind) -> set[Write]:
    """The (step kind, purpose, path) a change of `kind` may contain."""
    created = placeholder_path(kind, id_placeholder(change.address))
    existing = kind.item(change.object_id) if (kind.singleton or change.object_id) else None
    writes: set[Write] = set()
    if change.action in (Action.CREATE, Action.REPLACE):
        writes.add((StepKind.CREATE, None, kind.collection))
        writes |= {w for w in _facet_writes(kind, created) if w[0] != StepKind.PUT}
    if change.action == Action.UPDATE and existing is not None:
        writes.add((StepKind.PATCH, None, existing))
        if kind.update == "put":
            writes.add((StepKind.PUT, None, existing))
        writes |= _facet_writes(kind, existing)
    if change.action in (Action.DELETE, Action.REPLACE) and existing is not None:
        writes.add((StepKind.DELETE, None, existing))
    return writes


def _reorder_problem(change: Change, kinds: Registry) -> str | None:
    collection = change.collection or ""
    style = kinds.ordering_of(collection)
    if style is None:
        return f"{change.address}: {collection or 'no collection'} has no ordering to set"
    for step in change.steps:
        if (step.kind, step.purpose, step.path) != (
            StepKind.ACTION,
            Purpose.REORDER,
            f"{collection}/{style.action}",
        ):
            return f"{change.address}: step {step.id} writes to {step.path}"
        if step.body != reorder_body(style, [(e.id, e.value) for e in change.ordering]):
            return f"{change.address}: step {step.id} does not carry the order the plan shows"
    return None


def _step_problem(change: Change, step: Step, kinds: Registry) -> str | None:
    if step.kind not in _KINDS[change.action]:
        return (
            f"{change.address}: step {step.id} of kind '{step.kind.value}' "
            f"in a change of action '{change.action.value}'"
        )
    if step.method != _METHOD[step.kind]:
        return f"{change.address}: step {step.id} uses {step.method}"
    if (step.kind == StepKind.ACTION) != (step.purpose is not None):
        return f"{change.address}: step {step.id} has a purpose only an action may have"
    if change.action == Action.REORDER:
        return None  # checked as a whole by _reorder_problem
    kind = kinds.get(change.kind)
    if kind is None:
        return f"{change.address}: unknown kind {change.kind!r}"
    if (step.kind, step.purpose, step.path) not in allowed_writes(change, kind):
        return f"{change.address}: step {step.id} writes to {step.path}"
    return None


def step_problem(plan: Plan, *, kinds: Registry = REGISTRY) -> str | None:
    """A description of the first step that does not fit its change, or None."""
    seen: set[str] = set()
    for change in plan.changes:
        for step in change.steps:
            if step.id in seen:
                return f"step {step.id} appears twice"
            seen.add(step.id)
            problem = _step_problem(change, step, kinds)
            if problem:
                return problem
        if change.action == Action.REORDER:
            problem = _reorder_problem(change, kinds)
            if problem:
                return problem
    return None
