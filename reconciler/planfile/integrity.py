"""Every step of a loaded plan must be the write its change describes. Pure.

A checksum proves a plan file was not damaged, not that nobody rebuilt it: an edited plan
with a recomputed checksum could hide a DELETE of another policy inside an innocent-looking
change. Here each step is re-derived from its change's action, kind and object id, so what
`apply` sends is always what the rendered plan shows.
"""

from __future__ import annotations

from reconciler.kinds import registry
from reconciler.values.plan import Action, Change, Plan, Step, StepKind, id_placeholder

_METHOD = {
    StepKind.CREATE: "POST",
    StepKind.PATCH: "PATCH",
    StepKind.WRITE_STREAM: "PUT",
    StepKind.ASSIGN: "POST",
    StepKind.UPDATE_PRIORITIES: "POST",
    StepKind.DELETE: "DELETE",
}
_KINDS = {
    Action.CREATE: {StepKind.CREATE, StepKind.WRITE_STREAM, StepKind.ASSIGN},
    Action.UPDATE: {StepKind.PATCH, StepKind.WRITE_STREAM, StepKind.ASSIGN},
    Action.DELETE: {StepKind.DELETE},
    Action.REORDER: {StepKind.UPDATE_PRIORITIES},
}


def _allowed_paths(change: Change, step: Step) -> set[str]:
    if change.action == Action.REORDER:
        collection = change.address.removeprefix("priorities:")
        return {f"{collection}/{registry.priority_style(collection).action}"}
    rt = registry.BY_KIND.get(change.kind)
    if rt is None:
        return set()
    if step.kind == StepKind.CREATE:
        return {rt.path}
    if change.action == Action.CREATE:
        item = f"{rt.path}/{id_placeholder(change.address)}"
    elif rt.singleton:
        item = rt.path
    elif change.object_id:
        item = rt.item_path(change.object_id)
    else:
        return set()
    if step.kind in (StepKind.PATCH, StepKind.DELETE):
        return {item}
    if step.kind == StepKind.WRITE_STREAM:
        return {f"{item}/{field}" for field in rt.stream_fields}
    if step.kind == StepKind.ASSIGN and rt.assignments is not None:
        return {f"{item}/{rt.assignments.action}"}
    return set()


def step_problem(plan: Plan) -> str | None:
    """A description of the first step that does not fit its change, or None."""
    seen: set[str] = set()
    for change in plan.changes:
        for step in change.steps:
            if step.id in seen:
                return f"step {step.id} appears twice"
            seen.add(step.id)
            if step.kind not in _KINDS[change.action]:
                return (
                    f"{change.address}: step {step.id} of kind '{step.kind.value}' "
                    f"in a change of action '{change.action.value}'"
                )
            if step.method != _METHOD[step.kind]:
                return f"{change.address}: step {step.id} uses {step.method}"
            if step.path not in _allowed_paths(change, step):
                return f"{change.address}: step {step.id} writes to {step.path}"
    return None
