"""Reading by id, against the emulator: a pinned id the listing does not show is read on its
own (found with its facets, gone on a 404, foreign when it is none of the kinds, with the
reason), and apply's re-checks read objects by id the same way."""

from __future__ import annotations

from reconciler.emulator import make_configuration_policy
from reconciler.fetch.client import GraphClient
from reconciler.fetch.tenant import read_by_id, read_tenant
from reconciler.kinds import REGISTRY

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
