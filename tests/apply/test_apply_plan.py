"""apply_plan as a whole with a kind known only here (so every stage must be given the
kinds), against a small fake Graph that keeps its objects: the stale check before any write,
the backup, the writes, and the verification read that judges only what was applied."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import Field

from reconciler.apply.audit import AuditLog
from reconciler.apply.executor import ApplyResult, StepState, apply_plan
from reconciler.engine.planner import make_plan
from reconciler.errors import NotSentError, StalePlanError
from reconciler.fetch.batching import NO_HOOKS, Hooks
from reconciler.fetch.client import (
    BatchRequest,
    BatchResult,
    ClientStats,
    GraphClient,
    GraphResponse,
)
from reconciler.fetch.tenant import read_tenant
from reconciler.kinds.fields import NonEmpty, StrictModel
from reconciler.kinds.kind import ResourceKind
from reconciler.kinds.registry import Registry
from reconciler.values.plan import Plan
from tests.core.builders import desired, resource

from .fake import graph_error

NOW = datetime(2026, 1, 1, tzinfo=UTC)
WIDGETS = "/testing/widgets"


class WidgetSpec(StrictModel):
    name: NonEmpty = Field(description="the widget's name")
    size: int | None = None


WIDGET = ResourceKind(
    kind="Widget",
    collection=WIDGETS,
    identity="name",
    list_query="$select=id,name,size",
    server_managed=frozenset({"id"}),
    spec_model=WidgetSpec,
)
KINDS = Registry([WIDGET])


class WidgetGraph:
    """Widgets by id; POST creates, PATCH updates (unless told to fail or to ignore it)."""

    base_url = "https://graph.test/beta"

    def __init__(
        self, *widgets: dict[str, Any], fail: int | None = None, ignore_patches: bool = False
    ):
        self.widgets = {w["id"]: dict(w) for w in widgets}
        self.stats = ClientStats()
        self.fail = fail
        self.ignore_patches = ignore_patches
        self.listed: list[str] = []
        self.writes: list[tuple[str, str]] = []

    def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
        self.listed.append(path)
        self.stats.add(method="GET")
        return copy.deepcopy(list(self.widgets.values()))

    cancelled = False  # asked between rounds: no signal here

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        before_send: Callable[[int], None] | None = None,
        **_: Any,
    ) -> GraphResponse:
        if before_send is not None:
            before_send(1)
        self.writes.append((method, path))
        new_id = f"w-{len(self.widgets) + 1}"
        self.widgets[new_id] = {
            "id": new_id,
            **{k: v for k, v in json.items() if not k.startswith("@")},
        }
        return GraphResponse(
            status=201, headers={}, body={"id": new_id}, request_id="r", client_request_id="c"
        )

    def batch(
        self, requests: Sequence[BatchRequest], hooks: Hooks = NO_HOOKS
    ) -> dict[str, BatchResult]:
        if hooks.on_sent:
            hooks.on_sent([r.id for r in requests], 1)
        results = {}
        for request in requests:
            if request.method == "GET":  # a re-check of a widget by id
                found = self.widgets.get(request.url.rsplit("/", 1)[-1])
                status, body = (200, copy.deepcopy(found)) if found else (404, None)
                error = graph_error(404, "GET") if found is None else None
                results[request.id] = BatchResult(
                    id=request.id, status=status, headers={}, body=body, request_id="r", error=error
                )
                continue
            self.writes.append((request.method, request.url))
            status = self.fail or 204
            if status < 400 and not self.ignore_patches:
                widget_id = request.url.rsplit("/", 1)[-1]
                self.widgets[widget_id].update(
                    {k: v for k, v in request.body.items() if not k.startswith("@")}
                )
            error = graph_error(status, request.method) if status >= 400 else None
            results[request.id] = BatchResult(
                id=request.id, status=status, headers={}, body=None, request_id="r", error=error
            )
            if hooks.on_result:
                hooks.on_result(results[request.id])
        return results


def client(graph: WidgetGraph) -> GraphClient:
    return cast(GraphClient, graph)


def planned(graph: WidgetGraph) -> Plan:
    wanted = desired(resource("one", "Widget", size=2), resource("two", "Widget", size=3))
    for r, name in zip(wanted.resources, ("W1", "W2"), strict=True):
        r.spec["name"] = name  # type: ignore[index]  # the identity, which resource() names
    return make_plan(wanted, read_tenant(client(graph), kinds=KINDS), now=NOW, kinds=KINDS)


def apply(plan: Plan, graph: WidgetGraph, tmp_path: Path, **kwargs: Any) -> ApplyResult:
    return apply_plan(
        plan,
        client(graph),
        backup_root=tmp_path / "backups",
        audit=AuditLog(None),
        now=NOW,
        kinds=KINDS,
        **kwargs,
    )


def test_an_apply_writes_the_plan_backs_up_and_verifies(tmp_path):
    graph = WidgetGraph({"id": "w-1", "name": "W1", "size": 1})
    plan = planned(graph)
    backups: list[Path] = []
    progress: list[tuple[int, int]] = []
    result = apply(
        plan,
        graph,
        tmp_path,
        on_backup=backups.append,
        progress=lambda d, t: progress.append((d, t)),
    )
    assert result.ok and result.unconfirmed == ()
    assert [o.state for o in result.outcomes] == [StepState.APPLIED, StepState.APPLIED]
    assert result.count(StepState.APPLIED) == 2 and result.count(StepState.FAILED) == 0
    assert sorted(graph.writes) == [("PATCH", f"{WIDGETS}/w-1"), ("POST", WIDGETS)]
    assert (
        graph.listed == [f"{WIDGETS}?$select=id,name,size"] * 4
    )  # plan, stale check, the look for a twin of the create, verification
    assert result.backup_dir == tmp_path / "backups" / "20260101T000000000000Z" and backups == [
        result.backup_dir
    ]
    assert result.backup_dir is not None
    assert "name: W1" in (result.backup_dir / "w1.yaml").read_text()
    assert progress[-1] == (2, 2)
    assert graph.widgets["w-1"]["size"] == 2 and graph.widgets["w-2"] == {
        "id": "w-2",
        "name": "W2",
        "size": 3,
    }


def test_verification_judges_only_the_changes_that_were_applied(tmp_path):
    graph = WidgetGraph({"id": "w-1", "name": "W1", "size": 1}, fail=500)
    result = apply(planned(graph), graph, tmp_path)
    assert not result.ok
    assert [o.state for o in result.outcomes] == [StepState.FAILED, StepState.APPLIED]
    assert result.count(StepState.FAILED) == 1 and result.count(StepState.APPLIED) == 1
    assert result.unconfirmed == ()  # the failed update is reported as failed, not unconfirmed


def test_a_write_graph_accepts_but_does_not_make_is_unconfirmed(tmp_path):
    graph = WidgetGraph({"id": "w-1", "name": "W1", "size": 1}, ignore_patches=True)
    result = apply(planned(graph), graph, tmp_path)
    assert result.unconfirmed == ("Widget/one: /spec/size is not the planned value",)
    assert not result.ok


def test_a_stale_plan_writes_nothing(tmp_path):
    graph = WidgetGraph({"id": "w-1", "name": "W1", "size": 1})
    plan = planned(graph)
    graph.widgets["w-1"]["size"] = 7
    with pytest.raises(StalePlanError):
        apply(plan, graph, tmp_path)
    assert graph.writes == [] and not (tmp_path / "backups").exists()


def test_an_empty_plan_writes_nothing_and_backs_up_nothing(tmp_path):
    graph = WidgetGraph(
        {"id": "w-1", "name": "W1", "size": 2}, {"id": "w-2", "name": "W2", "size": 3}
    )
    backups: list[Path] = []
    result = apply(planned(graph), graph, tmp_path, on_backup=backups.append)
    assert (result.outcomes, result.backup_dir, result.unconfirmed) == ((), None, ())
    assert result.ok and graph.writes == [] and backups == []


def test_a_plan_of_creates_only_has_no_backup_to_announce(tmp_path):
    graph = WidgetGraph()
    backups: list[Path] = []
    result = apply(planned(graph), graph, tmp_path, on_backup=backups.append)
    assert result.ok and result.backup_dir is None and backups == []


def test_a_change_without_writes_is_not_verified(tmp_path):
    from reconciler.values.plan import Action, Change, FieldRecord

    graph = WidgetGraph({"id": "w-1", "name": "W1", "size": 1})
    plan = planned(graph)
    record = FieldRecord(field="size", pointer="/spec/size", before=1, after=99)
    untouched = Change(
        address="Widget/other",
        kind="Widget",
        action=Action.UPDATE,
        object_id="w-1",
        fingerprint=plan.changes[0].fingerprint,
        fields=(record,),
    )
    result = apply(plan.model_copy(update={"changes": (*plan.changes, untouched)}), graph, tmp_path)
    assert result.unconfirmed == () and result.ok


def test_a_signal_during_the_verification_read_keeps_every_outcome(tmp_path):
    """The writes are done and audited when a signal stops the read that would confirm
    them: the result says interrupted and keeps each step's outcome (a fleet's record, or
    the summary, must not call them failed or not sent)."""

    class StoppedAfterWrites(WidgetGraph):
        def list_all(self, path: str, *, top: int | None = None) -> list[dict[str, Any]]:
            if len(self.writes) == 2:  # the verification read, after both writes
                raise NotSentError(f"GET {path}: not sent: the run was interrupted")
            return super().list_all(path, top=top)

    graph = StoppedAfterWrites({"id": "w-1", "name": "W1", "size": 1})
    result = apply(planned(graph), graph, tmp_path)
    assert result.interrupted and result.unconfirmed == ()
    assert [o.state for o in result.outcomes] == [StepState.APPLIED, StepState.APPLIED]
    # the backup taken before the writes is still named, for a restore
    assert result.backup_dir is not None and result.backup_dir.parent == tmp_path / "backups"
