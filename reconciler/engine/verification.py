"""After an apply: does the tenant now hold what each applied change intended? Pure."""

from __future__ import annotations

from reconciler.engine.diff import owned_view
from reconciler.engine.staleness import live_object
from reconciler.kinds import registry
from reconciler.values.canonical import canonical_json
from reconciler.values.live import Live
from reconciler.values.plan import Action, Change, id_placeholder


def unconfirmed(changes: list[Change], live: Live, created: dict[str, str]) -> list[str]:
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
            body = change.steps[0].body
            assert isinstance(body, dict)
            path = change.address.removeprefix("priorities:")
            style = registry.priority_style(path)
            ids, values = body[style.ids_key], body[style.values_key]
            assert isinstance(ids, list) and isinstance(values, list)
            for object_id, priority in zip(ids, values, strict=True):
                obj = live.by_id(created.get(str(object_id), str(object_id)))
                if obj is None or obj.body.get(style.field) != priority:
                    problems.append(
                        f"{change.address}: {object_id} does not have priority {priority}"
                    )
            continue
        rt = registry.by_kind(change.kind)
        object_id = change.object_id or created.get(id_placeholder(change.address))
        obj = live.by_id(object_id) if object_id and not rt.singleton else live_object(change, live)
        if obj is None:
            problems.append(f"{change.address}: not found after apply")
            continue
        fields = [r.field for r in change.fields]
        view = owned_view(rt, obj.body, fields, change.ignore)
        for record in change.fields:
            if canonical_json(view.get(record.field)) != canonical_json(record.after):
                problems.append(f"{change.address}: {record.pointer} is not the planned value")
    return problems
