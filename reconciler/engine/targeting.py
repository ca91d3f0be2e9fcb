"""`plan --target ADDRESS`: a partial plan, with Terraform's meaning.

A target keeps its own change (a create keeps its payloads and assignments: they are steps
of the same change) and what it needs: the collection's one ordering call when the target's
place changes, carrying only the targets' moves. A move onto a value that another object
holds until its own (untargeted) move is refused: the call would break uniqueness.
"""

from __future__ import annotations

from collections.abc import Collection

from reconciler.engine.writes import reorder_body
from reconciler.errors import PlanError
from reconciler.kinds.registry import Registry
from reconciler.values.live import Live
from reconciler.values.plan import Action, Change, Step, id_placeholder


def _unknown(targets: Collection[str], changes: list[Change], known: Collection[str]) -> None:
    addresses = {c.address for c in changes} | set(known)
    missing = sorted(set(targets) - addresses)
    if missing:
        raise PlanError(
            f"--target {missing[0]}: no manifest declares this address and the plan deletes "
            "nothing by it",
            hint="Use a manifest's Kind/name, or a pruned object's Kind/id as the plan shows it.",
        )


def _live_values(live: Live, field: str) -> dict[str, int]:
    return {
        o.id: o.body[field] for o in live.objects if o.id and isinstance(o.body.get(field), int)
    }


def _limited_reorder(
    change: Change, kept: list[Change], live: Live, kinds: Registry
) -> Change | None:
    style = kinds.ordering_of(change.collection or "")
    assert style is not None  # a reorder change exists only for an ordered collection
    keys = {c.object_id for c in kept if c.object_id} | {id_placeholder(c.address) for c in kept}
    current = _live_values(live, style.field)
    needed = [e for e in change.ordering if e.id in keys and current.get(e.id) != e.value]
    if not needed:
        return None
    moving = {e.id for e in needed}
    after_moves = {k: v for k, v in current.items() if k not in moving}
    labels = {o.id: o.label for o in live.objects if o.id}
    for entry in needed:
        for holder, value in after_moves.items():
            if value == entry.value:
                raise PlanError(
                    f"--target: {entry.label or entry.id} would take {style.field} "
                    f"{entry.value}, which {labels.get(holder) or holder} holds until its own "
                    "move, outside the targets",
                    hint="Target that policy too, or plan without --target.",
                )
        after_moves[entry.id] = entry.value
    kept_steps = {s.id for c in kept for s in c.steps}
    (step,) = change.steps
    limited = Step(
        **{
            **step.model_dump(),
            "body": reorder_body(style, [(e.id, e.value) for e in needed]),
            "after": tuple(a for a in step.after if a in kept_steps),
        }
    )
    return change.model_copy(update={"ordering": tuple(needed), "steps": (limited,)})


def limit(
    changes: list[Change],
    targets: Collection[str],
    live: Live,
    kinds: Registry,
    *,
    known: Collection[str] = (),
) -> list[Change]:
    """The changes a partial plan of `targets` keeps, in the full plan's order."""
    _unknown(targets, changes, known)
    wanted = set(targets)
    kept = [c for c in changes if c.address in wanted and c.action != Action.REORDER]
    result = list(kept)
    for change in changes:
        if change.action == Action.REORDER:
            limited = _limited_reorder(change, kept, live, kinds)
            if limited is not None:
                result.append(limited)
    return result
