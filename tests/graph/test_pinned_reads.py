"""Reading by id, against the emulator: a pinned id the listing does not show is read on its
own (found with its facets, gone on a 404, foreign when it is none of the kinds, with the
reason), and apply's re-checks read objects by id the same way."""

from __future__ import annotations

from typing import cast

import pytest

from reconciler.emulator import make_configuration_policy
from reconciler.errors import GraphResponseError
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_by_id, read_tenant
from reconciler.kinds import REGISTRY
from reconciler.kinds.registry import Registry

from .test_tenant_reader import BOX, COLLECTION, TYPED_BOX, Fake, box_kind

KIND = "SettingsCatalogPolicy"
BASELINE = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
GONE = "0e0e0e0e-1e0f-4a9b-8c7d-6e5f4a3b2c1d"


def test_pinned_ids_outside_the_listing_are_read_found_gone_or_foreign(make_emulator):
    mine = make_configuration_policy(
        "Office - mine", groups=["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"]
    )
    baseline = make_configuration_policy(
        "Office - baseline", template_family="baseline", policy_id=BASELINE
    )
    emulator = make_emulator(seed={"configurationPolicies": [mine, baseline]})
    client = GraphClient(emulator.base_url)
    # the singleton and kinds unknown here are never read by id, and stop nothing
    pinned = {
        "OfficeConfiguration": ["x"],
        "Unknown": ["y"],
        KIND: [BASELINE, GONE, mine["id"].upper()],
    }
    live = read_tenant(client, using=[KIND], pinned=pinned)
    assert [o.id for o in live.objects if o.kind == KIND] == [mine["id"]]  # listed once
    (foreign,) = live.foreign
    assert (foreign.id, foreign.collection) == (BASELINE, "/deviceManagement/configurationPolicies")
    assert foreign.why == "its templateReference/templateFamily is 'baseline', not 'none'"

    kind = REGISTRY.by_kind(KIND)
    found = read_by_id(client, REGISTRY, [(kind, mine["id"]), (kind, GONE), (kind, BASELINE)])
    assert list(found) == [mine["id"].lower()]  # gone and foreign are left out
    obj = found[mine["id"].lower()]
    assert obj.kind == KIND and obj.body["name"] == "Office - mine"
    assert len(obj.body["assignments"]) == 1 and obj.body["settings"] == []
    assert read_by_id(client, REGISTRY, []) == {}


def test_a_pinned_id_listed_in_another_case_is_not_read_again():
    answers = {
        f"{COLLECTION}/b-1/items": (200, {"value": []}),
        f"{COLLECTION}/b-1/blob": (200, b""),
    }
    fake = Fake([BOX], answers)
    live = read_tenant(
        cast(GraphClient, fake), kinds=Registry([box_kind()]), pinned={"Box": ["B-1"]}
    )
    assert [o.id for o in live.objects] == ["b-1"]
    assert f"{COLLECTION}/B-1" not in fake.batched and f"{COLLECTION}/b-1" not in fake.batched


def test_every_pinned_id_is_answered_past_a_gone_and_a_foreign_one():
    answers = {
        f"{COLLECTION}/gone": (404, None),
        f"{COLLECTION}/crate": (200, {"id": "crate", "@odata.type": "#crate"}),
        f"{COLLECTION}/box": (200, {"id": "box", "@odata.type": "#box", "name": "B"}),
    }
    live = read_tenant(
        cast(GraphClient, Fake([], answers)),
        kinds=Registry([TYPED_BOX]),
        pinned={"Box": ["gone", "crate", "box"]},
    )
    assert [o.id for o in live.objects] == ["box"]
    assert [(f.id, f.why) for f in live.foreign] == [
        ("crate", "its @odata.type is '#crate', not '#box'")
    ]


@pytest.mark.parametrize("body", [{"name": "no id"}, {"id": 7}, ["box"], None])
def test_a_pinned_answer_that_is_no_object_names_the_read(body):
    fake = Fake([], {f"{COLLECTION}/box": (200, body)})
    with pytest.raises(GraphResponseError) as raised:
        read_tenant(cast(GraphClient, fake), kinds=Registry([TYPED_BOX]), pinned={"Box": ["box"]})
    assert str(raised.value) == f"GET {COLLECTION}/box: the answer is not an object"
