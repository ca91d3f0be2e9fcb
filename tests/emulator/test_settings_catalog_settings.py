"""Aspects: setting instances — validation against the definition catalog (unknown ids,
options, children, required children, duplicates, value types and bounds, collections),
minimal-metadata serialisation (§3.2), auditRuleInformation, and secrets (§3.5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.raw import assert_graph_error

from .sc import (
    LOCATION_APPS,
    NS,
    POLICIES,
    REPAIR,
    REPAIR_CDN,
    REPAIR_PATH,
    SAVE_AS,
    SAVE_AS_FORMAT,
    STORAGE,
    STORAGE_ID,
    SYNTHETIC_INTEGER,
    SYNTHETIC_SECRET,
    SYNTHETIC_STRINGS,
    WORD_MACROS,
    SettingsCatalog,
    choice,
    model_failure,
    online_repair,
    policy_body,
    save_as,
    secret,
    simple,
    storage_filter,
    strings,
)


def refused(sc: SettingsCatalog, *instances: dict[str, Any]) -> str:
    """The 400 BadRequest message for a POST with these settings; nothing is created."""
    before = len(sc.get(POLICIES).json()["value"])
    message = assert_graph_error(
        sc.post(POLICIES, json=policy_body("P", *instances)), 400, "BadRequest"
    )
    assert len(sc.get(POLICIES).json()["value"]) == before
    return message


def stored(sc: SettingsCatalog, *instances: dict[str, Any]) -> list[dict[str, Any]]:
    policy = sc.create("P", *instances)
    return [s["settingInstance"] for s in sc.policy(policy["id"], "?$expand=settings")["settings"]]


def test_the_real_office_examples_are_accepted(sc: SettingsCatalog) -> None:
    instances = stored(
        sc, choice(WORD_MACROS, "_1", typed=True), save_as(), online_repair(), storage_filter()
    )
    assert [i["settingDefinitionId"] for i in instances] == [WORD_MACROS, SAVE_AS, REPAIR, STORAGE]
    integer = instances[3]["choiceSettingValue"]["children"][0]["simpleSettingValue"]
    assert integer == {
        "@odata.type": NS + "IntegerSettingValue",
        "settingValueTemplateReference": None,
        "value": 137,
    }


def test_minimal_metadata_as_observed(sc: SettingsCatalog) -> None:
    repair = stored(sc, online_repair("C:\\odt"))[0]
    assert repair["@odata.type"] == NS + "ChoiceSettingInstance"
    assert repair["settingInstanceTemplateReference"] is None
    assert repair["auditRuleInformation"] is None  # live 2026 responses carry it
    value = repair["choiceSettingValue"]
    assert "@odata.type" not in value  # not on choice values...
    assert value["settingValueTemplateReference"] is None
    path, cdn = value["children"]
    assert (
        path["@odata.type"] == NS + "SimpleSettingInstance" and path["auditRuleInformation"] is None
    )
    assert (
        path["simpleSettingValue"]["@odata.type"] == NS + "StringSettingValue"
    )  # ...but on simple ones
    assert path["simpleSettingValue"]["value"] == "C:\\odt"
    assert "@odata.type" not in cdn["choiceSettingValue"]
    assert cdn["choiceSettingValue"]["children"] == []


def test_collections(sc: SettingsCatalog) -> None:
    location, synthetic = stored(
        sc, strings(LOCATION_APPS, "a_1", "b_2"), strings(SYNTHETIC_STRINGS, "x")
    )
    assert [v["value"] for v in location["simpleSettingCollectionValue"]] == ["a_1", "b_2"]
    assert all(
        v["@odata.type"] == NS + "StringSettingValue"
        for v in location["simpleSettingCollectionValue"]
    )
    assert "1 to 5 values, not 0" in refused(sc, strings(SYNTHETIC_STRINGS))
    assert "6" in refused(sc, strings(SYNTHETIC_STRINGS, *"abcdef"))  # above the maximum of 5
    assert "65" in refused(sc, strings(SYNTHETIC_STRINGS, "x" * 65))


def test_an_unknown_definition_is_a_bad_request(sc: SettingsCatalog) -> None:
    message = refused(sc, choice("user_vendor_msft_policy_config_word16v2~policy~l_nothing", "_1"))
    assert "does not exist" in message and "l_nothing" in message


def test_a_choice_value_must_be_an_option(sc: SettingsCatalog) -> None:
    message = refused(sc, choice(WORD_MACROS, "_2"))
    assert WORD_MACROS + "_2" in message and WORD_MACROS + "_0" in message


def test_children_follow_the_chosen_option(sc: SettingsCatalog) -> None:
    assert "required child" in refused(sc, choice(SAVE_AS, "_1"))
    assert "not a child" in refused(sc, choice(SAVE_AS, "_0", choice(SAVE_AS_FORMAT, "_51")))
    assert "not a child" in refused(sc, choice(WORD_MACROS, "_1", choice(SAVE_AS_FORMAT, "_51")))
    assert "_99" in refused(sc, save_as("_99"))
    # A child cannot stand on its own at the top level.
    assert "child of" in refused(sc, choice(SAVE_AS_FORMAT, "_51"))
    partial = choice(REPAIR, "_1", simple(REPAIR_PATH, ""))
    assert REPAIR_CDN in refused(sc, partial)


def test_duplicate_definitions_at_one_level_are_refused(sc: SettingsCatalog) -> None:
    assert "more than once" in refused(sc, choice(WORD_MACROS, "_1"), choice(WORD_MACROS, "_0"))
    twice = choice(SAVE_AS, "_1", choice(SAVE_AS_FORMAT, "_51"), choice(SAVE_AS_FORMAT, "_52"))
    assert "more than once" in refused(sc, twice)


def test_the_instance_type_must_fit_the_definition(sc: SettingsCatalog) -> None:
    assert "cannot configure it" in refused(sc, simple(WORD_MACROS, "1"))
    assert "cannot configure it" in refused(sc, strings(WORD_MACROS, "1"))


@pytest.mark.parametrize(
    ("child", "why"),
    [
        (simple(STORAGE_ID, "137", "Integer"), "Edm.Int32"),
        (simple(STORAGE_ID, True, "Integer"), "Edm.Int32"),
        (simple(STORAGE_ID, 1.5, "Integer"), "Edm.Int32"),
        (simple(STORAGE_ID, 137), "IntegerSettingValue"),  # a string value for an integer setting
        (simple(STORAGE_ID, -1, "Integer"), "outside"),
        (simple(STORAGE_ID, 2**31, "Integer"), "outside"),
    ],
)
def test_integer_values(sc: SettingsCatalog, child: dict[str, Any], why: str) -> None:
    response = sc.post(POLICIES, json=policy_body("P", choice(STORAGE, "_1", child)))
    assert response.status_code == 400 and why in response.json()["error"]["message"]


def test_bounded_integers(sc: SettingsCatalog) -> None:
    assert (
        stored(sc, simple(SYNTHETIC_INTEGER, 100, "Integer"))[0]["simpleSettingValue"]["value"]
        == 100
    )
    assert "1..100" in assert_graph_error(
        sc.post(POLICIES, json=policy_body("Q", simple(SYNTHETIC_INTEGER, 101, "Integer"))), 400
    )
    assert "1..100" in assert_graph_error(
        sc.post(POLICIES, json=policy_body("Q", simple(SYNTHETIC_INTEGER, 0, "Integer"))), 400
    )


def test_string_values_must_be_strings_within_length(sc: SettingsCatalog) -> None:
    message = model_failure(
        sc.post(
            POLICIES,
            json=policy_body(
                "P", choice(REPAIR, "_1", simple(REPAIR_PATH, 5), choice(REPAIR_CDN, "_1"))
            ),
        )
    )
    assert "Edm.String" in message
    assert "1025" in refused(sc, online_repair("x" * 1025))


def test_simple_values_need_a_concrete_type(sc: SettingsCatalog) -> None:
    untyped = simple(SYNTHETIC_INTEGER, 5, "Integer")
    del untyped["simpleSettingValue"]["@odata.type"]
    assert (
        model_failure(sc.post(POLICIES, json=policy_body("P", untyped)))
        == "Cannot create an abstract class."
    )
    unknown = simple(SYNTHETIC_INTEGER, 5, "Float")
    assert "could not be resolved" in model_failure(
        sc.post(POLICIES, json=policy_body("P", unknown))
    )


def test_template_references_need_a_template_bound_policy(sc: SettingsCatalog) -> None:
    instance = choice(WORD_MACROS, "_1")
    instance["settingInstanceTemplateReference"] = {
        "settingInstanceTemplateId": "1de98212-6949-42dc-a89c-e0ff6e5da04b"
    }
    assert "template" in refused(sc, instance)


def test_setting_definitions_cannot_be_written(sc: SettingsCatalog) -> None:
    body = policy_body()
    body["settings"][0]["settingDefinitions"] = []
    assert "read-only" in assert_graph_error(sc.post(POLICIES, json=body), 400)


def test_secrets_read_back_as_tokens(sc: SettingsCatalog) -> None:
    policy = sc.create("S", secret(SYNTHETIC_SECRET, "hunter2"))
    first = sc.policy(policy["id"], "?$expand=settings")["settings"][0]["settingInstance"][
        "simpleSettingValue"
    ]
    assert first["@odata.type"] == NS + "SecretSettingValue"
    assert first["valueState"] == "encryptedValueToken"
    assert (
        first["value"] != "hunter2"
        and "hunter2" not in sc.get(f"{POLICIES}/{policy['id']}/settings").text
    )
    again = sc.get(f"{POLICIES}/{policy['id']}/settings").json()["value"][0]["settingInstance"][
        "simpleSettingValue"
    ]
    assert again["value"] == first["value"]  # stable across reads
    # The stored form keeps what was sent.
    snapshot = sc.emulator.tenant.snapshot()["configurationPolicies"][0]
    assert snapshot["settings"][0]["settingInstance"]["simpleSettingValue"]["value"] == "hunter2"
    assert (
        snapshot["settings"][0]["settingInstance"]["simpleSettingValue"]["valueState"]
        == "notEncrypted"
    )
    # A new secret gets a new token.
    assert (
        sc.put(
            f"{POLICIES}/{policy['id']}", json=policy_body("S", secret(SYNTHETIC_SECRET, "other"))
        ).status_code
        == 204
    )
    changed = sc.get(f"{POLICIES}/{policy['id']}/settings").json()["value"][0]["settingInstance"][
        "simpleSettingValue"
    ]
    assert changed["value"] != first["value"]


def test_secrets_must_be_written_in_plain_text(sc: SettingsCatalog) -> None:
    assert "notEncrypted" in refused(
        sc, secret(SYNTHETIC_SECRET, "84db67dd-caf8-4f86-bf00-b8897972d51f", "encryptedValueToken")
    )
    no_state = secret(SYNTHETIC_SECRET, "x")
    del no_state["simpleSettingValue"]["valueState"]
    assert "valueState" in refused(sc, no_state)
    assert "SecretSettingValue" in refused(sc, simple(SYNTHETIC_SECRET, "plain"))


def test_non_null_audit_information_is_refused(sc: SettingsCatalog) -> None:
    instance = {**choice(WORD_MACROS, "_1"), "auditRuleInformation": {"x": 1}}
    assert "auditRuleInformation" in refused(sc, instance)
