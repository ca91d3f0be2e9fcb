"""The backup apply writes before its first write, pure apart from files: every object the
plan touches (a reorder touches its whole collection), the singleton with the fields the
plan declares, nothing for a create."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reconciler.apply.executor import kinds_in, write_backup
from reconciler.engine.planner import make_plan
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry
from reconciler.values.live import Live, LiveObject
from tests.core.builders import GRAPH, desired, live, obj, resource
from tests.support.tenant import CLIENT, SECURITY

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
SUMMARY = {"succeededUserCount": 1, "failedUserCount": 0}


def files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_a_backup_holds_what_the_plan_touches_and_not_what_it_creates(tmp_path):
    tenant = live(
        obj("id-a", displayName="A", priority=1, description="old"),
        obj("id-b", displayName="B", priority=2),
    )
    wanted = desired(
        resource("a", displayName="A", priority=1, description="new"),
        resource("n", displayName="N", priority=3),
    )
    plan = make_plan(wanted, tenant, now=NOW)
    directory = write_backup(plan, tenant, tmp_path, NOW)
    assert directory == tmp_path / "20260102T030405678901Z"
    assert directory is not None
    text = "".join(p.read_text() for p in directory.rglob("*.yaml"))
    assert "id: id-a" in text and "displayName: A" in text
    assert "id-b" not in text and "displayName: N" not in text


def test_a_reorder_backs_up_every_policy_of_its_collection(tmp_path):
    tenant = live(
        obj("id-a", displayName="A", priority=1),
        obj("id-b", displayName="B", priority=2),
        obj("id-c", CLIENT, displayName="C", priority=3),
    )
    wanted = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    plan = make_plan(wanted, tenant, now=NOW)
    reorder_only = plan.model_copy(update={"changes": plan.changes[-1:]})
    directory = write_backup(reorder_only, tenant, tmp_path, NOW)
    assert directory is not None
    text = "".join(p.read_text() for p in directory.rglob("*.yaml"))
    assert all(i in text for i in ("id-a", "id-b", "id-c"))
    assert kinds_in(reorder_only, REGISTRY) == {SECURITY, CLIENT}


def test_the_singleton_is_backed_up_with_the_declared_fields_only(tmp_path):
    singleton = LiveObject(
        kind="OfficeConfiguration",
        id=None,
        body={"tenantUserCheckinSummary": SUMMARY, "tenantCheckinStatuses": []},
    )
    tenant = Live(graph_url=GRAPH, objects=(singleton,))
    wanted = desired(
        resource(
            "office",
            "OfficeConfiguration",
            tenantUserCheckinSummary={"succeededUserCount": 5, "failedUserCount": 0},
        )
    )
    plan = make_plan(wanted, tenant, now=NOW)
    directory = write_backup(plan, tenant, tmp_path, NOW)
    assert directory is not None
    (only,) = files(directory)
    text = (directory / only).read_text()
    assert "tenantUserCheckinSummary" in text and "tenantCheckinStatuses" not in text
    assert kinds_in(plan, REGISTRY) == {"OfficeConfiguration"}


def test_a_plan_of_creates_only_writes_no_backup(tmp_path):
    plan = make_plan(desired(resource("n", displayName="N", priority=3)), live(), now=NOW)
    assert write_backup(plan, live(), tmp_path, NOW) is None
    assert list(tmp_path.iterdir()) == []


def test_every_change_is_backed_up_whatever_comes_before_it(tmp_path):
    tenant = live(
        obj("id-a", displayName="A", priority=1, description="old"),
        obj("id-b", displayName="B", priority=2),
    )
    wanted = desired(
        resource("n", displayName="N", priority=3),
        resource("a", displayName="A", priority=2, description="new"),
        resource("b", displayName="B", priority=1),
        resource("office", "OfficeConfiguration", tenantUserCheckinSummary=SUMMARY),
    )
    plan = make_plan(wanted, tenant, now=NOW)
    reorder = next(c for c in plan.changes if c.collection)
    create = next(c for c in plan.changes if c.object_id is None and c.kind == SECURITY)
    singleton = next(c for c in plan.changes if c.kind == "OfficeConfiguration")
    for index, first in enumerate((reorder, create)):
        only = plan.model_copy(update={"changes": (first, singleton)})
        directory = write_backup(only, tenant, tmp_path / str(index), NOW)
        assert directory is not None
        assert "tenantUserCheckinSummary" in "".join(
            p.read_text() for p in directory.rglob("*.yaml")
        )


def test_a_reorder_backs_up_only_objects_of_its_collection(tmp_path):
    from tests.apply.test_apply_plan import WIDGET

    kinds = Registry([*REGISTRY, WIDGET])
    widget = LiveObject(kind="Widget", id="w-1", body={"id": "w-1", "name": "W"}, identity="name")
    tenant = Live(
        graph_url=GRAPH,
        objects=(
            *live(
                obj("id-a", displayName="A", priority=1), obj("id-b", displayName="B", priority=2)
            ).objects,
            widget,
        ),
    )
    wanted = desired(
        resource("a", displayName="A", priority=2), resource("b", displayName="B", priority=1)
    )
    plan = make_plan(wanted, tenant, now=NOW, kinds=kinds)
    reorder_only = plan.model_copy(update={"changes": plan.changes[-1:]})
    directory = write_backup(reorder_only, tenant, tmp_path, NOW, kinds=kinds)
    assert directory is not None
    text = "".join(p.read_text() for p in directory.rglob("*.yaml"))
    assert "id-a" in text and "w-1" not in text


def test_a_backup_of_a_kind_outside_the_default_registry(tmp_path):
    from tests.apply.test_apply_plan import KINDS

    widget = LiveObject(
        kind="Widget", id="w-1", body={"id": "w-1", "name": "W", "size": 1}, identity="name"
    )
    tenant = Live(graph_url=GRAPH, objects=(widget,))
    wanted = resource("w", "Widget", size=2)
    wanted.spec["name"] = "W"  # type: ignore[index]  # the identity, which resource() names
    plan = make_plan(desired(wanted), tenant, now=NOW, kinds=KINDS)
    directory = write_backup(plan, tenant, tmp_path, NOW, kinds=KINDS)
    assert directory is not None
    assert "kind: Widget" in (directory / "w.yaml").read_text()


def test_a_singleton_of_a_kind_outside_the_default_registry_is_backed_up(tmp_path):
    import dataclasses

    office = REGISTRY.by_kind("OfficeConfiguration")
    kinds = Registry(
        [dataclasses.replace(office, kind="TenantSettings", collection="/tenantSettings")]
    )
    singleton = LiveObject(
        kind="TenantSettings", id=None, body={"tenantUserCheckinSummary": SUMMARY}
    )
    tenant = Live(graph_url=GRAPH, objects=(singleton,))
    wanted = desired(
        resource(
            "t",
            "TenantSettings",
            tenantUserCheckinSummary={"succeededUserCount": 9, "failedUserCount": 0},
        )
    )
    plan = make_plan(wanted, tenant, now=NOW, kinds=kinds)
    directory = write_backup(plan, tenant, tmp_path, NOW, kinds=kinds)
    assert directory is not None
    (only,) = files(directory)
    assert "kind: TenantSettings" in (directory / only).read_text()
