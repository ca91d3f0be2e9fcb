"""After an apply: does the tenant now hold what each applied change intended? Pure."""

from __future__ import annotations

from reconciler.engine.diff import owned_view
from reconciler.engine.staleness import live_object
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.canonical import canonical_json
from reconciler.values.live import Live
from reconciler.values.plan import Action, Change, id_placeholder
from reconciler.values.pointers import split as split_pointer


def unconfirmed_changes(
    changes: list[Change], live: Live, created: dict[str, str], *, kinds: Registry = REGISTRY
) -> list[str]:
    """One line per change whose intent the tenant does not show.

    `created` maps each create's id placeholder (`{id:<address>}`) to the id Graph gave it.
    """
    problems = []
    for change in changes:
        if change.action == Action.DELETE:
            if change.object_id and live.by_id(change.object_id) is not None:
                problems.append(f"{change.address}: still exists")
            continue
        if change.action == Action.REORDER:
            style = kinds.ordering_of(change.collection or "")
            assert style is not None  # the plan file's integrity check made sure
            for entry in change.ordering:
                obj = live.by_id(created.get(entry.id, entry.id))
                if obj is None or obj.body.get(style.field) != entry.value:
                    problems.append(
                        f"{change.address}: {entry.id} does not have {style.field} {entry.value}"
                    )
            continue
        kind = kinds.by_kind(change.kind)
        replaced = change.action == Action.REPLACE and change.object_id
        if replaced and live.by_id(str(change.object_id)) is not None:
            problems.append(f"{change.address}: the replaced object still exists")
        created_id = created.get(id_placeholder(change.address))
        object_id = (
            created_id if change.action == Action.REPLACE else change.object_id or created_id
        )
        if kind.singleton:
            obj = live_object(change, live, kinds=kinds)
        else:
            obj = live.by_id(object_id) if object_id else None
        if obj is None:
            problems.append(f"{change.address}: not found after apply")
            continue
        fields = [r.field for r in change.fields]
        view = owned_view(kind, obj.body, fields, change.ignore)
        whole = {split_pointer(p)[0] for p in change.ignore if len(split_pointer(p)) == 1}
        for record in change.fields:
            if record.field in whole:
                continue  # set on create, never compared: metadata.ignore
            if canonical_json(view.get(record.field)) != canonical_json(record.after):
                problems.append(f"{change.address}: {record.pointer} is not the planned value")
    return problems
