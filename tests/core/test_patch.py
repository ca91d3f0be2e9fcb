"""The RFC 6902 patch a diff records turns the live value into the desired one, exactly."""

import jsonpatch
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.engine.diff import compare
from reconciler.kinds import REGISTRY
from reconciler.values.canonical import canonical_json
from reconciler.values.desired import DesiredResource
from reconciler.values.live import LiveObject

RT = REGISTRY.by_kind("WindowsOfficeClientConfiguration")

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(-2, 2, allow_nan=False)
    | st.sampled_from(["", "a", "~/"])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "c/d", "e~f"]), children, max_size=4)
    ),
    max_leaves=12,
)


def _diff(before, after):
    resource = DesiredResource(kind=RT.kind, name="p", id=None, spec={"policyPayload": after})
    live = LiveObject(kind=RT.kind, id="1", body={"policyPayload": before})
    return compare(RT, resource, live)


@settings(max_examples=300, deadline=None)
@given(json_values, json_values)
def test_patch_applied_to_live_gives_desired(before, after):
    result = _diff(before, after)
    patched = jsonpatch.apply_patch({"spec": {"policyPayload": before}}, list(result.patch))
    assert canonical_json(patched) == canonical_json({"spec": {"policyPayload": after}})
    assert bool(result.patch) == (canonical_json(before) != canonical_json(after))


def test_a_changed_setting_is_one_replace_not_the_whole_payload():
    before = {"settings": [{"id": "a", "value": 1}, {"id": "b", "value": 2}]}
    after = {"settings": [{"id": "a", "value": 1}, {"id": "b", "value": 3}]}
    assert _diff(before, after).patch == (
        {"op": "replace", "path": "/spec/policyPayload/settings/1/value", "value": 3},
    )


def test_true_replacing_one_is_a_change():
    assert _diff({"on": 1}, {"on": True}).patch == (
        {"op": "replace", "path": "/spec/policyPayload/on", "value": True},
    )
