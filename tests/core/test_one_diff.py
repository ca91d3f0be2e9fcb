"""One diff engine: the nested pointers a plan shows for a changed field are the paths of
the same RFC 6902 operations its patch records (a list losing one item of fifty is one
`remove`, not fifty pointers), and applying the patch to the live value gives the desired."""

from __future__ import annotations

import copy

import jsonpatch

from reconciler.engine.diff import compare
from reconciler.kinds import REGISTRY
from tests.support.tenant import SECURITY

from .builders import obj, resource


def _diff(live_payload, wanted_payload):
    kind = REGISTRY.by_kind(SECURITY)
    wanted = resource("a", displayName="A", priority=1, policyPayload=wanted_payload)
    return compare(
        kind, wanted, obj("id-a", displayName="A", priority=1, policyPayload=live_payload)
    )


def test_one_removed_item_is_one_operation_and_one_detail():
    before = {"ids": list(range(50))}
    after = {"ids": [i for i in range(50) if i != 3]}
    (change,) = _diff(before, after).changes
    ops = _diff(before, after).patch
    assert len(ops) == 1 and ops[0]["op"] == "remove"
    assert change.details == (ops[0]["path"],) == ("/spec/policyPayload/ids/3",)


def test_details_are_the_patch_paths_and_the_patch_applies():
    before = {"settings": [{"id": "a", "value": "1"}, {"id": "b", "value": "2"}], "old": True}
    after = {"settings": [{"id": "a", "value": "4"}, {"id": "b", "value": "2"}], "new": 1}
    diff = _diff(before, after)
    (change,) = diff.changes
    assert change.details == tuple(dict.fromkeys(op["path"] for op in diff.patch))
    spec = {"policyPayload": copy.deepcopy(before)}
    relative = [{**op, "path": op["path"].removeprefix("/spec")} for op in diff.patch]
    assert jsonpatch.apply_patch(spec, relative)["policyPayload"] == after


def test_deepdiff_is_not_a_dependency():
    import importlib.metadata

    requires = importlib.metadata.requires("m365-office-reconciler") or []
    assert not any(r.lower().startswith("deepdiff") for r in requires)
