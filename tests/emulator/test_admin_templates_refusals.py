"""Aspect: the checks the emulator makes of an Administrative Templates write (its own
decisions, listed in the surface's docstring) — unknown definitions and presentations,
presentations of another definition, value types that do not fit the presentation, values
out of range, missing binds, disabled values with presentation values, required
presentations left unvalued, and the shape of updateDefinitionValues. Each is a 400 that
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .at import (
    BLOCK_MACROS,
    CONFIGURATIONS,
    EXCEL,
    GRAPH_DEFINITIONS,
    NS,
    TRUST_CENTER,
    WORD,
    AdminTemplates,
    Office,
    changes,
    dv,
    message,
    pv,
)

Case = Callable[[Office], dict[str, Any]]
UNKNOWN = "00000000-1111-2222-3333-444444444444"


def vba_value(o: Office, value: Any, kind: str = "Text") -> dict[str, Any]:
    return dv(o.vba, pv(o.vba, o.pid(o.vba, "Macro notification:"), kind, value))


ADDED: list[tuple[str, Case, str]] = [
    ("unknown definition", lambda o: dv(UNKNOWN), "which the catalog does not hold"),
    (
        "relative definition bind",
        lambda o: {
            **dv(o.block),
            "definition@odata.bind": f"deviceManagement/groupPolicyDefinitions('{o.block}')",
        },
        "must be an absolute URL",
    ),
    (
        "key-segment bind",
        lambda o: {**dv(o.block), "definition@odata.bind": f"{GRAPH_DEFINITIONS}/{o.block}"},
        "must be an absolute URL",
    ),
    (
        "inline definition",
        lambda o: {**dv(o.block), "definition": {"id": o.block}},
        "cannot be written inline",
    ),
    (
        "enabled left out",
        lambda o: {k: v for k, v in dv(o.block).items() if k != "enabled"},
        "enabled' is required",
    ),
    ("enabled as a string", lambda o: {**dv(o.block), "enabled": "true"}, "Edm.Boolean"),
    (
        "unknown configurationType",
        lambda o: {**dv(o.block), "configurationType": "both"},
        "groupPolicyConfigurationType",
    ),
    ("unknown property", lambda o: {**dv(o.block), "settings": []}, "does not exist on type"),
    (
        "unknown presentation",
        lambda o: dv(o.vba, pv(o.vba, UNKNOWN, "Text", "3")),
        "has no presentation",
    ),
    (
        "presentation of another definition",
        lambda o: dv(o.vba, pv(o.vba, o.pid(o.font, "Font name:"), "Text", "3")),
        "it is a presentation of",
    ),
    (
        "bind naming another definition",
        lambda o: dv(o.vba, pv(o.font, o.pid(o.font, "Font name:"), "Text", "3")),
        "binds a presentation of groupPolicyDefinition",
    ),
    (
        "presentation values on a definition without presentations",
        lambda o: dv(o.block, pv(o.block, o.pid(o.vba, "Macro notification:"), "Text", "3")),
        "has no presentation",
    ),
    (
        "no presentation bind",
        lambda o: dv(o.vba, {"@odata.type": f"{NS}groupPolicyPresentationValueText", "value": "3"}),
        "has no 'presentation@odata.bind'",
    ),
    (
        "no presentation value type",
        lambda o: dv(
            o.vba,
            {**pv(o.vba, o.pid(o.vba, "Macro notification:"), "Text", "3"), "@odata.type": None},
        ),
        "abstract",
    ),
    (
        "CIPP's null-typed empty value",
        lambda o: dv(
            o.block,
            {
                "id": None,
                "value": [],
                "@odata.type": None,
                "presentation@odata.bind": f"{GRAPH_DEFINITIONS}('{o.block}')/presentations('')",
            },
        ),
        "abstract",
    ),
    ("unknown value type", lambda o: vba_value(o, "3", "Number"), "could not be resolved"),
    (
        "Boolean for a dropdown",
        lambda o: vba_value(o, True, "Boolean"),
        "its value is a #microsoft.graph.groupPolicyPresentationValueText",
    ),
    (
        "dropdown value not an item",
        lambda o: vba_value(o, "Disable all macros without notification"),
        "takes the value of one of its items",
    ),
    ("dropdown value as a number", lambda o: vba_value(o, 3), "Edm.String"),
    (
        "values on a Text",
        lambda o: dv(
            o.vba, {**pv(o.vba, o.pid(o.vba, "Macro notification:"), "Text", "3"), "values": ["3"]}
        ),
        "does not exist on type",
    ),
    (
        "text for a check box",
        lambda o: o.one(o.location, "Allow sub folders", "Text", "true"),
        "is a groupPolicyPresentationCheckBox",
    ),
    (
        "string for a Boolean",
        lambda o: dv(
            o.location,
            pv(o.location, o.pid(o.location, "Path:"), "Text", "p"),
            pv(o.location, o.pid(o.location, "Allow sub folders"), "Boolean", "true"),
        ),
        "Edm.Boolean",
    ),
    (
        "label-only presentation",
        lambda o: dv(
            o.location,
            pv(o.location, o.pid(o.location, "Path:"), "Text", "p"),
            pv(
                o.location,
                o.pid(o.location, "Files in a trusted location open without checks."),
                "Text",
                "x",
            ),
        ),
        "takes no value",
    ),
    (
        "decimal below its minimum",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "Decimal", 0),
        "takes 1 to 120",
    ),
    (
        "decimal above its maximum",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "Decimal", 121),
        "takes 1 to 120",
    ),
    (
        "decimal as a string",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "Decimal", "5"),
        "Edm.Int64",
    ),
    (
        "decimal as a float",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "Decimal", 5.5),
        "Edm.Int64",
    ),
    (
        "decimal as a Boolean",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "Decimal", True),
        "Edm.Int64",
    ),
    (
        "LongDecimal for a decimal box",
        lambda o: o.one(o.autorecover, "Save AutoRecover info every (minutes):", "LongDecimal", 5),
        "its value is a #microsoft.graph.groupPolicyPresentationValueDecimal",
    ),
    (
        "Decimal for a long decimal box",
        lambda o: o.one(o.pst, "Maximum size in MB:", "Decimal", 5),
        "ValueLongDecimal",
    ),
    (
        "long decimal above its maximum",
        lambda o: o.one(o.pst, "Maximum size in MB:", "LongDecimal", 4294967296),
        "takes 0 to 4294967295",
    ),
    (
        "text longer than maxLength",
        lambda o: o.one(o.font, "Font name:", "Text", "x" * 32),
        "takes at most 31",
    ),
    (
        "empty text for a required presentation",
        lambda o: o.one(o.font, "Font name:", "Text", ""),
        "is required",
    ),
    (
        "multi-text as one string",
        lambda o: o.one(o.domains, "Domains:", "MultiText", "contoso.com"),
        "Collection(Edm.String)",
    ),
    (
        "multi-text with a number",
        lambda o: o.one(o.domains, "Domains:", "MultiText", ["a", 1]),
        "Edm.String",
    ),
    (
        "multi-text with too many strings",
        lambda o: o.one(o.domains, "Domains:", "MultiText", [f"d{i}.com" for i in range(51)]),
        "takes at most 50",
    ),
    (
        "empty multi-text for a required presentation",
        lambda o: o.one(o.domains, "Domains:", "MultiText", []),
        "is required",
    ),
    (
        "Text for a list box",
        lambda o: o.one(o.addins, "List of managed add-ins", "Text", "Contoso.Addin"),
        "ValueList",
    ),
    (
        "list entry without a name",
        lambda o: o.one(o.addins, "List of managed add-ins", "List", [{"value": "1"}]),
        "Edm.String",
    ),
    (
        "list entry without a value where values are explicit",
        lambda o: o.one(o.addins, "List of managed add-ins", "List", [{"name": "A"}]),
        "takes explicit values",
    ),
    (
        "list entry with another property",
        lambda o: o.one(
            o.addins,
            "List of managed add-ins",
            "List",
            [{"name": "A", "value": "1", "data": "x"}],
        ),
        "does not exist on type 'microsoft.graph.keyValuePair'",
    ),
    (
        "list entries as strings",
        lambda o: o.one(o.addins, "List of managed add-ins", "List", ["A"]),
        "keyValuePair",
    ),
    (
        "two values for one presentation",
        lambda o: dv(
            o.vba,
            pv(o.vba, o.pid(o.vba, "Macro notification:"), "Text", "3"),
            pv(o.vba, o.pid(o.vba, "Macro notification:"), "Text", "2"),
        ),
        "twice",
    ),
    (
        "required presentation unvalued",
        lambda o: dv(o.vba),
        "no value for the required presentation 'Macro notification:'",
    ),
    (
        "presentation values on a disabled value",
        lambda o: {**vba_value(o, "3"), "enabled": False},
        "is disabled but carries presentation values",
    ),
    (
        "inline presentation",
        lambda o: dv(
            o.vba,
            {
                **pv(o.vba, o.pid(o.vba, "Macro notification:"), "Text", "3"),
                "presentation": {"id": "x"},
            },
        ),
        "cannot be written inline",
    ),
]


@pytest.mark.parametrize(
    ("case", "expected"), [(c, e) for _, c, e in ADDED], ids=[n for n, _, _ in ADDED]
)
def test_a_bad_added_value_is_refused_and_nothing_changes(
    at: AdminTemplates, office: Office, case: Case, expected: str
) -> None:
    profile = at.create()
    good = dv(office.block)
    text = message(at.update(profile["id"], changes(added=[good, case(office)])), "any")
    assert expected in text
    assert at.read(profile["id"]) == []
    assert (
        at.get(f"{CONFIGURATIONS}/{profile['id']}").json()["lastModifiedDateTime"]
        == profile["lastModifiedDateTime"]
    )


def test_the_same_checks_hold_for_post_of_one_value(at: AdminTemplates, office: Office) -> None:
    profile = at.create()
    response = at.post(
        f"{CONFIGURATIONS}/{profile['id']}/definitionValues", json=vba_value(office, "9")
    )
    assert "one of its items" in message(response)
    assert "required presentation" in message(
        at.post(f"{CONFIGURATIONS}/{profile['id']}/definitionValues", json=dv(office.vba))
    )


def test_the_emulators_own_base_url_is_a_service_root_too(
    at: AdminTemplates, office: Office
) -> None:
    profile = at.create()
    own = at.emulator.base_url + "/deviceManagement/groupPolicyDefinitions"
    p = office.pid(office.vba, "Macro notification:")
    body = {**dv(office.vba), "definition@odata.bind": f"{own}('{office.vba}')",
            "presentationValues": [{**pv(office.vba, p, "Text", "3"), "presentation@odata.bind": f"{own}('{office.vba}')/presentations('{p}')"}]}  # fmt: skip
    at.updated(profile["id"], added=[body])
    assert len(at.read(profile["id"])) == 1


def _seeded(at: AdminTemplates, office: Office) -> tuple[str, dict[str, Any], dict[str, Any]]:
    profile = at.create()
    at.updated(profile["id"], added=[vba_value(office, "3"), dv(office.block)])
    read = {v["definition"]["id"]: v for v in at.read(profile["id"])}
    return profile["id"], read[office.vba], read[office.block]


def test_update_and_delete_refusals(at: AdminTemplates, office: Office) -> None:
    profile_id, vba, block = _seeded(at, office)
    (current,) = vba["presentationValues"]
    p = current["presentation"]["id"]

    def refused(body: dict[str, Any], expected: str) -> None:
        assert expected in message(at.update(profile_id, body), "any")

    refused(
        changes(updated=[dv(office.vba, pv(office.vba, p, "Text", "2"))]),
        "'updated[0].id' is required",
    )
    refused(
        changes(updated=[dv(office.vba, pv(office.vba, p, "Text", "2"), id=UNKNOWN)]),
        "has no definition value",
    )
    refused(changes(updated=[dv(office.block, id=vba["id"])]), "delete it and add a new one")
    refused(
        changes(
            updated=[{**vba_value(office, "2"), "id": vba["id"], "configurationType": "preference"}]
        ),
        "cannot change",
    )
    refused(
        changes(updated=[dv(office.vba, pv(office.vba, p, "Text", "2"), id=vba["id"])]),
        "send its id",
    )
    refused(
        changes(updated=[dv(office.vba, pv(office.vba, p, "Text", "2", id=UNKNOWN), id=vba["id"])]),
        "has no presentation value",
    )
    refused(
        changes(updated=[dv(office.block, id=block["id"]), dv(office.block, id=block["id"])]),
        "twice",
    )
    refused(
        changes(updated=[dv(office.block, id=block["id"])], deleted=[block["id"]]),
        "both updated and deleted",
    )
    refused(changes(deleted=[UNKNOWN]), "has no definition value")
    refused(changes(deleted=[block["id"], block["id"]]), "twice")
    refused(changes(added=[dv(office.block)]), "already configured")
    refused(changes(added=[dv(office.block)], deleted=[block["id"]]), "already configured")
    refused({"added": None}, "Collection")
    refused({"deletedIds": block["id"]}, "Collection(Edm.String)")
    assert "not a valid parameter for the operation 'updateDefinitionValues'" in message(
        at.update(profile_id, {**changes(), "replaced": []}), "ModelValidationFailure"
    )
    assert {v["id"] for v in at.read(profile_id)} == {vba["id"], block["id"]}
    assert [p["value"] for p in at.read(profile_id)[0]["presentationValues"]] in (["3"], [])


def test_an_empty_body_and_missing_parameters(at: AdminTemplates) -> None:
    profile = at.create()
    assert "request body is required" in message(
        at.post(f"{CONFIGURATIONS}/{profile['id']}/updateDefinitionValues")
    )
    at.updated(profile["id"])  # all three empty: nothing to change, 204
    assert at.update(profile["id"], {}).status_code == 204  # all three left out
    missing = at.post(f"{CONFIGURATIONS}/{UNKNOWN}/updateDefinitionValues", json=changes())
    assert missing.status_code == 404


def test_duplicate_definitions_in_one_add_and_two_block_macros_from_different_apps(
    at: AdminTemplates,
) -> None:
    profile = at.create()
    word = at.definition(BLOCK_MACROS, WORD + TRUST_CENTER)["id"]
    excel = at.definition(BLOCK_MACROS, EXCEL + TRUST_CENTER)["id"]
    assert "twice" in message(at.update(profile["id"], changes(added=[dv(word), dv(word)])))
    at.updated(profile["id"], added=[dv(word), dv(excel)])  # same name, different categories
    assert {v["definition"]["categoryPath"] for v in at.read(profile["id"])} == {
        WORD + TRUST_CENTER,
        EXCEL + TRUST_CENTER,
    }
