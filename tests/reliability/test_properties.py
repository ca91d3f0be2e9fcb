"""Aspect: properties of plan and apply for random manifests and random live tenants.

- Over HTTP (emulator seeded with a random tenant, manifests written to disk, the CLI run
  in-process): after `apply` of a saved plan, a new plan is empty and the tenant holds every
  declared value; unmanaged policies are untouched (or deleted with --prune); and the plan
  was minimal: a PATCH body holds only fields whose declared value differed from the live
  one, a payload is written only when its JSON differed, `assign` only when the group set
  differed; every differing field was written.
- Pure (`make_plan` on hand-built values, many more examples): the same minimality and
  completeness, and a tenant that already holds the declared values plans nothing.

Values are JSON-compared (`true` is not `1`); payloads mix small integers and booleans on
purpose, and live payloads may be bytes that are not JSON at all.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.emulator import make_policy, make_tenant, running_emulator
from reconciler.engine.planner import make_plan
from reconciler.kinds.kind import sorted_assignments
from reconciler.values.desired import Desired, DesiredResource
from reconciler.values.live import NON_JSON_KEY, Live, LiveObject
from tests.support.cli import cli_run
from tests.support.manifests import manifest, write_manifests
from tests.support.tenant import CLIENT, GROUPS, SECURITY

from .support import assert_matches, assert_no_duplicates, load_plan, tenant_view

NAMES = ("Alpha", "Beta", "Gamma", "Délta", "Zeta 6", "Eta/7", "θ policy")
STREAMS = ("policyPayload", "userPreferencePayload")
ABSENT = object()  # a field the manifest leaves out
NOW = datetime(2026, 1, 1, tzinfo=UTC)
HTTP_EXAMPLES = 25  # each starts an emulator and runs plan, apply, plan
PURE_EXAMPLES = 300

text = st.text(
    st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"], exclude_characters="\x7f"),
    max_size=8,
)
scalars = st.none() | st.booleans() | st.integers(-2, 3) | text
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
payloads = documents.filter(lambda d: d is not None)  # {inline: null} is refused by design
live_payloads = st.none() | payloads | st.binary(min_size=1, max_size=8).map(lambda b: b"\xff" + b)
groups = st.lists(st.sampled_from(GROUPS), unique=True, max_size=3).map(sorted)


@dataclass(frozen=True)
class LivePolicy:
    name: str
    kind: str
    priority: int
    description: str | None
    streams: dict[str, Any]  # None, a JSON document, or bytes that are not JSON
    groups: list[str]


@dataclass(frozen=True)
class Wanted:
    name: str
    kind: str
    priority: int
    fields: dict[str, Any]  # declared fields besides displayName and priority


@dataclass(frozen=True)
class Scenario:
    live: list[LivePolicy]
    wanted: list[Wanted]
    prune: bool


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    live_names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))
    live_priorities = draw(
        st.lists(
            st.integers(1, 30), unique=True, min_size=len(live_names), max_size=len(live_names)
        )
    )
    live = [
        LivePolicy(
            name=name,
            kind=draw(st.sampled_from((CLIENT, SECURITY))),
            priority=priority,
            description=draw(st.none() | text),
            streams={s: draw(live_payloads) for s in STREAMS},
            groups=draw(groups),
        )
        for name, priority in zip(live_names, live_priorities, strict=True)
    ]
    wanted_names = draw(st.lists(st.sampled_from(NAMES), unique=True, min_size=1, max_size=5))
    prune = draw(st.booleans())
    live_kinds = {p.name: p.kind for p in live}
    kinds = [live_kinds.get(n) or draw(st.sampled_from((CLIENT, SECURITY))) for n in wanted_names]
    # Priorities are unique across both kinds; --prune deletes only the manifests' kinds.
    taken = {
        p.priority for p in live if p.name not in wanted_names and not (prune and p.kind in kinds)
    }
    free = [p for p in range(1, 35) if p not in taken]
    priorities = draw(st.permutations(free))[: len(wanted_names)]
    wanted = []
    for name, kind, priority in zip(wanted_names, kinds, priorities, strict=True):
        fields: dict[str, Any] = {}
        description = draw(st.sampled_from([ABSENT, None, "text"]))
        if description == "text":
            description = draw(text)
        if description is not ABSENT:
            fields["description"] = description
        for stream in STREAMS:
            value = draw(st.sampled_from([ABSENT, None, "doc"]))
            if value == "doc":
                value = draw(payloads)
            if value is not ABSENT:
                fields[stream] = value
        assigned = draw(st.sampled_from([ABSENT, "groups"]))
        if assigned == "groups":
            fields["assignments"] = draw(groups)
        wanted.append(Wanted(name, kind, priority, fields))
    return Scenario(live, wanted, prune)


def _slug(name: str) -> str:
    return "p" + str(NAMES.index(name))


def _documents(scenario: Scenario) -> list[dict[str, Any]]:
    return [
        manifest(_slug(w.name), w.name, w.priority, kind=w.kind, **w.fields)
        for w in scenario.wanted
    ]


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _live_value(policy: LivePolicy, field: str) -> Any:
    if field == "description":
        return policy.description
    if field == "assignments":
        return policy.groups
    value = policy.streams[field]
    return {"bytes": value.hex()} if isinstance(value, bytes) else value


def _differs(wanted: Wanted, policy: LivePolicy, field: str) -> bool:
    value = wanted.fields[field]
    if field == "assignments":
        value = sorted(g.lower() for g in value)
    return not _same(_live_value(policy, field), value)


def check_minimal_and_complete(scenario: Scenario, changes: list[dict[str, Any]]) -> None:
    """Each update writes exactly the declared fields that differ from the live policy."""
    live = {p.name: p for p in scenario.live}
    by_name = {c["display_name"]: c for c in changes if c["action"] == "update"}
    for wanted in scenario.wanted:
        policy = live.get(wanted.name)
        if policy is None or policy.kind != wanted.kind:
            continue
        differing = {f for f in wanted.fields if _differs(wanted, policy, f)}
        written: set[str] = set()
        for step in by_name.get(wanted.name, {}).get("steps", []):
            if step["kind"] == "patch":
                fields = set(step["body"]) - {"@odata.type"}
                assert fields, f"an empty PATCH for {wanted.name}"
                written |= fields
            elif step["kind"] == "put-stream":
                written.add(step["path"].rsplit("/", 1)[1])
            elif (step["kind"], step["purpose"]) == ("action", "assign"):
                written.add("assignments")
        assert written == differing, (wanted.name, written, differing)


def _stored(value: Any) -> bytes | None:
    """A live payload as the bytes Graph holds (a JSON document is stored as its text)."""
    return value if value is None or isinstance(value, bytes) else json.dumps(value).encode()


def seed_of(scenario: Scenario) -> dict[str, Any]:
    return make_tenant(
        make_policy(
            display_name=p.name,
            priority=p.priority,
            security=p.kind == SECURITY,
            description=p.description,
            policy_payload=_stored(p.streams["policyPayload"]),
            user_preference_payload=_stored(p.streams["userPreferencePayload"]),
            groups=p.groups,
        )
        for p in scenario.live
    )


@settings(max_examples=HTTP_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_apply_of_a_plan_converges_and_the_plan_was_minimal(scenario: Scenario) -> None:
    documents = _documents(scenario)
    prune = ["--prune", "--scope", "*/*"] if scenario.prune else []
    with running_emulator(seed=seed_of(scenario)) as emu, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = write_manifests(work / "m", documents)
        before = tenant_view(emu)
        planned = cli_run(
            "plan", root, "--graph-url", emu.base_url, "--out", work / "p.json", *prune
        )
        assert planned.code == 0, planned.err
        plan = load_plan(work / "p.json")
        check_minimal_and_complete(scenario, plan["changes"])
        applied = cli_run(
            "apply", work / "p.json", "--graph-url", emu.base_url, "--state-dir", work / "s",
            "--write-rate", "0",
        )  # fmt: skip
        assert applied.code == 0, applied.out + applied.err
        again = cli_run("plan", root, "--graph-url", emu.base_url, "--detailed-exitcode", *prune)
        assert again.code == 0, again.out + again.err
        assert_no_duplicates(emu)
        assert_matches(emu, documents)
        after = tenant_view(emu)
        wanted = {w.name for w in scenario.wanted}
        managed_kinds = {w.kind for w in scenario.wanted}
        for name, state in before.items():
            if name in wanted:
                continue
            if scenario.prune and state["kind"] in managed_kinds:
                assert name not in after, f"unmanaged {name!r} survived --prune"
            else:
                assert after.get(name) == state, f"unmanaged {name!r} was changed"


# --- the pure planner, many more examples ---------------------------------------------------


def _assignments(groups: list[str]) -> list[dict[str, Any]]:
    return sorted_assignments([{"target": "group", "groupId": g.lower()} for g in groups])


def _spec(wanted: Wanted) -> dict[str, Any]:
    spec = {"displayName": wanted.name, "priority": wanted.priority, **wanted.fields}
    if "assignments" in spec:
        spec["assignments"] = _assignments(spec["assignments"])
    return spec


def _desired(scenario: Scenario) -> Desired:
    resources = tuple(
        DesiredResource(kind=w.kind, name=_slug(w.name), id=None, spec=_spec(w), file="m.yaml")
        for w in scenario.wanted
    )
    return Desired(resources=resources, manifest_hash="0" * 64, scope=("*/*",))


def _live_object(policy: LivePolicy, index: int) -> LiveObject:
    streams = {
        s: {NON_JSON_KEY: v.hex()} if isinstance(v, bytes) else v for s, v in policy.streams.items()
    }
    body = {
        "id": f"id-{index}",
        "displayName": policy.name,
        "description": policy.description,
        "priority": policy.priority,
        "assignments": _assignments(policy.groups),
        **streams,
    }
    return LiveObject(kind=policy.kind, id=f"id-{index}", body=body)


def _live(objects: list[LiveObject]) -> Live:
    singleton = LiveObject(kind="OfficeConfiguration", id="singleton", body={"id": "singleton"})
    return Live(graph_url="http://127.0.0.1:1/beta", objects=(singleton, *objects))


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(scenarios())
def test_pure_plan_writes_exactly_the_fields_that_differ(scenario: Scenario) -> None:
    live = _live([_live_object(p, i) for i, p in enumerate(scenario.live)])
    plan = make_plan(_desired(scenario), live, now=NOW, prune=scenario.prune)
    check_minimal_and_complete(scenario, [c.model_dump(mode="json") for c in plan.changes])


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(scenarios())
def test_pure_a_tenant_holding_the_declared_values_plans_nothing(scenario: Scenario) -> None:
    objects = []
    for index, wanted in enumerate(scenario.wanted):
        spec = _spec(wanted)
        body = {"id": f"id-{index}", **{k: None for k in STREAMS}, "assignments": [], **spec}
        objects.append(LiveObject(kind=wanted.kind, id=f"id-{index}", body=body))
    plan = make_plan(_desired(scenario), _live(objects), now=NOW, prune=True)
    assert plan.is_empty, [c.address for c in plan.changes]
