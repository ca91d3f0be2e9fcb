"""Aspects: definition values and presentation values (peers §A.3, §A.4, §A.6, §A.7) — a
profile holding a value of every presentation type written with updateDefinitionValues and
read back the documented way; updates that keep instance ids; disabling, deleting; POST of
one value; the single-item reads; the live 400 for a value without a definition bind."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.support.raw import assert_graph_error

from .at import (
    CONFIGURATIONS,
    NS,
    TRUST_CENTER,
    VBA,
    WORD,
    AdminTemplates,
    Office,
    changes,
    dv,
    message,
    pv,
)


def by_definition(read: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {v["definition"]["id"]: v for v in read}


def contents(value: dict[str, Any]) -> dict[str, Any]:
    """A read value's presentation values: label -> (type suffix, value or values)."""
    return {
        p["presentation"]["label"]: (
            p["@odata.type"].removeprefix(NS + "groupPolicyPresentationValue"),
            p.get("values", p.get("value")),
        )
        for p in value["presentationValues"]
    }


def test_every_presentation_type_round_trips_through_the_documented_reads(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    at.updated(profile["id"], added=office.every_type())
    read = by_definition(at.read(profile["id"]))
    assert len(read) == 10
    assert contents(read[office.vba]) == {"Macro notification:": ("Text", "3")}
    assert contents(read[office.block]) == {}
    assert contents(read[office.location]) == {
        "Path:": ("Text", r"\\fs\templates"),
        "Allow sub folders": ("Boolean", True),
    }
    assert contents(read[office.autorecover]) == {
        "Save AutoRecover info every (minutes):": ("Decimal", 5)
    }
    assert contents(read[office.pst]) == {"Maximum size in MB:": ("LongDecimal", 4_000_000_000)}
    assert contents(read[office.font]) == {"Font name:": ("Text", "Calibri Light")}
    assert contents(read[office.domains]) == {
        "Domains:": ("MultiText", ["contoso.com", "fabrikam.com"])
    }
    assert contents(read[office.addins]) == {
        "List of managed add-ins": (
            "List",
            [{"name": "Contoso.Addin", "value": "1"}, {"name": "Fabrikam.Addin", "value": "0"}],
        )
    }
    assert contents(read[office.commands]) == {
        "Enter a command ID to disable": ("List", [{"name": "1234", "value": None}])
    }
    assert contents(read[office.channel]) == {"Channel Name:": ("Text", "MonthlyEnterprise")}
    value = read[office.vba]
    assert list(value)[:5] == [
        "createdDateTime",
        "enabled",
        "configurationType",
        "id",
        "lastModifiedDateTime",
    ]
    assert value["enabled"] is True and value["configurationType"] == "policy"
    assert value["definition"]["displayName"] == VBA and "@odata.type" not in value
    presentation = value["presentationValues"][0]["presentation"]
    assert presentation["@odata.type"] == NS + "groupPolicyPresentationDropdownList"
    assert presentation["id"] == office.pid(office.vba, "Macro notification:")


def test_values_are_listed_in_presentation_order_with_the_documented_shape(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    p = office.pid
    archive = office.archive
    at.updated(profile["id"], added=[dv(
        archive,
        pv(archive, p(archive, "Prompt before AutoArchive runs"), "Boolean", False),
        pv(archive, p(archive, "Run AutoArchive every (days):"), "Decimal", 30),
        pv(archive, p(archive, "Turn on AutoArchive"), "Boolean", True),
    )])  # fmt: skip
    (value,) = at.read(profile["id"])
    labels = [v["presentation"]["label"] for v in value["presentationValues"]]
    assert labels == [
        "Turn on AutoArchive",
        "Run AutoArchive every (days):",
        "Prompt before AutoArchive runs",
    ]
    first = value["presentationValues"][0]
    assert list(first)[:5] == [
        "@odata.type",
        "lastModifiedDateTime",
        "createdDateTime",
        "id",
        "value",
    ]
    url = (
        f"{CONFIGURATIONS}('{profile['id']}')/definitionValues('{value['id']}')/presentationValues"
    )
    body = at.get(url, params={"$expand": "presentation"}).json()
    assert body["@odata.context"].endswith(
        f"definitionValues('{value['id']}')/presentationValues(presentation())"
    )
    assert "@odata.count" not in body
    paged = at.get(url, params={"$top": "2"}).json()
    assert len(paged["value"]) == 2 and "presentation" not in paged["value"][0]
    assert [v["id"] for v in paged["value"] + at.get(paged["@odata.nextLink"]).json()["value"]] == [
        v["id"] for v in value["presentationValues"]
    ]


def test_definition_values_expand_the_definition_with_a_nested_select(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    at.updated(profile["id"], added=[dv(office.block)])
    select = "id,classType,displayName,policyType,hasRelatedDefinitions,version,minUserCspVersion,minDeviceCspVersion"
    body = at.get(
        f"{CONFIGURATIONS}('{profile['id']}')/definitionValues",
        params={"$expand": f"definition($select={select})"},
    ).json()
    assert body["@odata.context"].endswith(
        f"definitionValues(definition({select}))"
    )  # as captured (TFP)
    assert list(body["value"][0]["definition"]) == select.split(",")
    plain = at.get(f"{CONFIGURATIONS}('{profile['id']}')/definitionValues").json()
    assert "definition" not in plain["value"][0]


@pytest.mark.parametrize(
    ("expand", "expected"),
    [
        ("definition,presentationValues($expand=presentation)", "too deep"),
        ("definition($expand=category)", "too deep"),
        ("presentationValues", "not supported"),
        ("definition($top=1)", "not supported"),
        ("nonsense", "Could not find a property named 'nonsense'"),
    ],
)
def test_expands_the_emulator_refuses(
    at: AdminTemplates, office: Office, expand: str, expected: str
) -> None:
    profile = at.create()
    at.updated(profile["id"], added=[dv(office.block)])
    response = at.get(
        f"{CONFIGURATIONS}/{profile['id']}/definitionValues", params={"$expand": expand}
    )
    assert expected in message(response)


def test_a_value_without_a_definition_bind_gets_the_live_400(at: AdminTemplates) -> None:
    profile = at.create()
    documented = {
        "@odata.type": f"{NS}groupPolicyDefinitionValue",
        "enabled": True,
        "configurationType": "policy",
    }
    for response in (
        at.post(f"{CONFIGURATIONS}/{profile['id']}/definitionValues", json=documented),
        at.update(profile["id"], changes(added=[documented])),
    ):
        text = message(response)  # code BadRequest, the message a JSON string (docs-contrib#2810)
        inner = json.loads(text)
        assert (
            inner["_version"] == 3 and inner["RetryAfter"] is None and inner["HttpHeaders"] == "{}"
        )
        assert inner["Message"].startswith(
            "An error has occurred - Operation ID (for customer support): "
        )
        assert f"groupPolicyConfigurations%28%27{profile['id']}%27%29/" in inner["Message"]
    assert at.read(profile["id"]) == []


def test_update_keeps_instance_ids_and_moves_timestamps(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    at.updated(profile["id"], added=office.every_type())
    before = at.get(f"{CONFIGURATIONS}/{profile['id']}").json()
    assert before["lastModifiedDateTime"] > profile["lastModifiedDateTime"]
    old = by_definition(at.read(profile["id"]))
    vba = old[office.vba]
    (current,) = vba["presentationValues"]
    # TFP's and DSC's update: the instance ids, binds to the template ids (§A.6).
    item = dv(
        office.vba,
        pv(office.vba, current["presentation"]["id"], "Text", "4", id=current["id"]),
        id=vba["id"],
    )
    at.updated(profile["id"], updated=[item])
    new = by_definition(at.read(profile["id"]))
    (changed,) = new[office.vba]["presentationValues"]
    assert (changed["id"], changed["value"]) == (current["id"], "4")
    assert changed["createdDateTime"] == current["createdDateTime"]
    assert changed["lastModifiedDateTime"] > current["lastModifiedDateTime"]
    assert (
        new[office.vba]["id"] == vba["id"]
        and new[office.vba]["lastModifiedDateTime"] > vba["lastModifiedDateTime"]
    )
    assert new[office.block] == old[office.block]  # untouched values stay as they were
    after = at.get(f"{CONFIGURATIONS}/{profile['id']}").json()
    assert after["lastModifiedDateTime"] > before["lastModifiedDateTime"]


def test_disable_drops_presentation_values_and_enable_adds_new_ones(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    p = office.pid(office.vba, "Macro notification:")
    at.updated(profile["id"], added=[dv(office.vba, pv(office.vba, p, "Text", "3"))])
    (value,) = at.read(profile["id"])
    # The portal's "disabled" update: enabled false, no presentation values (TFP's capture).
    at.updated(profile["id"], updated=[dv(office.vba, enabled=False, id=value["id"])])
    (disabled,) = at.read(profile["id"])
    assert disabled["enabled"] is False and disabled["presentationValues"] == []
    at.updated(
        profile["id"], updated=[dv(office.vba, pv(office.vba, p, "Text", "2"), id=value["id"])]
    )
    (enabled,) = at.read(profile["id"])
    assert enabled["enabled"] is True and [v["value"] for v in enabled["presentationValues"]] == [
        "2"
    ]
    assert enabled["presentationValues"][0]["id"] != value["presentationValues"][0]["id"]


def test_an_update_may_add_a_value_for_an_unvalued_presentation(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    loc, p = office.location, office.pid
    path = pv(loc, p(loc, "Path:"), "Text", r"\\fs\a")
    at.updated(profile["id"], added=[dv(loc, path)])  # only the required one, as IntuneCD sends it
    (value,) = at.read(profile["id"])
    kept = {**path, "id": value["presentationValues"][0]["id"]}
    at.updated(
        profile["id"],
        updated=[
            dv(loc, kept, pv(loc, p(loc, "Description:"), "Text", "Templates"), id=value["id"])
        ],
    )
    (after,) = at.read(profile["id"])
    assert contents(after) == {"Path:": ("Text", r"\\fs\a"), "Description:": ("Text", "Templates")}


def test_leaving_out_a_presentation_value_is_refused(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    loc, p = office.location, office.pid
    at.updated(
        profile["id"],
        added=[
            dv(loc, pv(loc, p(loc, "Path:"), "Text", "x"), pv(loc, p(loc, "Date:"), "Text", "y"))
        ],
    )
    (value,) = at.read(profile["id"])
    path = next(v for v in value["presentationValues"] if v["value"] == "x")
    partial = dv(loc, pv(loc, p(loc, "Path:"), "Text", "z", id=path["id"]), id=value["id"])
    assert "leaves out presentation values" in message(
        at.update(profile["id"], changes(updated=[partial]))
    )
    omitted = {k: v for k, v in partial.items() if k != "presentationValues"}
    assert "leaves out" in message(at.update(profile["id"], changes(updated=[omitted])))
    assert contents(at.read(profile["id"])[0]) == {"Path:": ("Text", "x"), "Date:": ("Text", "y")}


def test_delete_by_instance_id(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    at.updated(profile["id"], added=office.every_type())
    ids = [v["id"] for v in at.read(profile["id"])]
    at.updated(profile["id"], deleted=ids[:9])  # TFP's "not configured": deletedIds only
    assert [v["id"] for v in at.read(profile["id"])] == ids[9:]


def test_a_call_is_all_or_nothing(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    at.updated(profile["id"], added=[dv(office.block)])
    (kept,) = at.read(profile["id"])
    body = changes(
        added=office.every_type()[:1] + [dv(office.vba)], deleted=[kept["id"]]
    )  # VBA twice
    assert "twice" in message(at.update(profile["id"], body))
    assert at.read(profile["id"]) == [kept]


def test_post_one_value_answers_201(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    body = {
        "@odata.type": f"{NS}groupPolicyDefinitionValue",
        **dv(office.block),
        "configurationType": "preference",
    }
    response = at.post(f"{CONFIGURATIONS}('{profile['id']}')/definitionValues", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["configurationType"] == "preference" and created["enabled"] is True
    assert created["@odata.context"].endswith("/definitionValues/$entity")
    assert [v["id"] for v in at.read(profile["id"])] == [created["id"]]
    # The Intune tutorial's PATCH of one value is not served: updateDefinitionValues is.
    patch = at.patch(
        f"{CONFIGURATIONS}('{profile['id']}')/definitionValues('{created['id']}')",
        json={"enabled": False},
    )
    assert "updateDefinitionValues" in message(patch)


def test_single_reads_and_navigations(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    at.updated(profile["id"], added=office.every_type()[:1])
    (value,) = at.read(profile["id"])
    base = f"{CONFIGURATIONS}/{profile['id']}/definitionValues/{value['id']}"
    got = at.get(base, params={"$expand": "definition"}).json()
    assert got["definition"]["id"] == office.vba and got["id"] == value["id"]
    definition = at.get(f"{base}/definition", params={"$select": "displayName,categoryPath"}).json()
    assert (definition["displayName"], definition["categoryPath"]) == (VBA, WORD + TRUST_CENTER)
    (presentation_value,) = value["presentationValues"]
    single = at.get(
        f"{base}/presentationValues/{presentation_value['id']}", params={"$expand": "presentation"}
    ).json()
    assert single == presentation_value
    presentation = at.get(
        f"{base}/presentationValues('{presentation_value['id']}')/presentation"
    ).json()
    assert presentation == presentation_value["presentation"]
    assert_graph_error(at.get(f"{base}/presentationValues/nope"), 404)
    assert_graph_error(at.get(f"{CONFIGURATIONS}/{profile['id']}/definitionValues/nope"), 404)
    assert "updateDefinitionValues" in message(at.post(f"{base}/presentationValues", json={}))


def test_definition_values_page_by_25(at: AdminTemplates) -> None:
    profile = at.create()
    definitions = at.list_all("/deviceManagement/groupPolicyDefinitions")
    assert len(definitions) > 25
    at.updated(profile["id"], added=[dv(d["id"], enabled=False) for d in definitions])
    first = at.get(f"{CONFIGURATIONS}/{profile['id']}/definitionValues").json()
    assert len(first["value"]) == 25 and "@odata.nextLink" in first
    assert len(at.read(profile["id"])) == len(definitions)


def test_profile_timestamps_are_real_instants(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    at.updated(profile["id"], added=[dv(office.block)])
    (value,) = at.read(profile["id"])
    got = at.get(f"{CONFIGURATIONS}/{profile['id']}").json()
    assert got["lastModifiedDateTime"] == value["lastModifiedDateTime"]  # as captured (TFP)
    assert datetime.fromisoformat(value["createdDateTime"]) >= datetime.fromisoformat(
        profile["createdDateTime"]
    )
