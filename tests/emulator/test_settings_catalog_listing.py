"""Aspects: the configurationPolicies list and the query options of the surface — paging
(25 by default, $top and top, absolute nextLinks with opaque keyset skiptokens, @odata.count
the page's length), case-insensitive name order, $select, $filter (eq, has, and, or,
parentheses, quote escaping, refusals), $expand on the list and on one policy, and the
/settings collection (settings-catalog §4.1)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.surfaces.settings_catalog.seeds import make_configuration_policy
from tests.support.raw import assert_graph_error

from .sc import (
    ACCESS_MACROS,
    EXCEL_MACROS,
    POLICIES,
    PPT_MACROS,
    VISIO_MACROS,
    WORD_MACROS,
    SettingsCatalog,
    choice,
    group,
    online_repair,
    save_as,
    storage_filter,
)

POLICY_TYPE = "microsoft.graph.deviceManagementConfigurationPolicy"


@pytest.fixture
def many(make_emulator) -> SettingsCatalog:
    """60 plain policies named P00..P59 (mixed case), one template-bound one, one for macOS."""
    names = [f"{'p' if i % 2 else 'P'}{i:02d}" for i in range(60)]
    policies = [make_configuration_policy(name) for name in names]
    policies.append(
        make_configuration_policy("Antivirus", template_family="endpointSecurityAntivirus")
    )
    policies.append(
        make_configuration_policy(
            "Mac", platforms="macOS", technologies="mdm,appleRemoteManagement"
        )
    )
    emulator: Emulator = make_emulator(seed={"configurationPolicies": policies})
    return SettingsCatalog(emulator)


def names(body: dict[str, Any]) -> list[str]:
    return [p["name"] for p in body["value"]]


def test_the_list_pages_25_at_a_time_sorted_case_insensitively(many: SettingsCatalog) -> None:
    first = many.get(POLICIES).json()
    assert len(first["value"]) == 25 and first["@odata.count"] == 25
    assert first["@odata.context"].endswith("/$metadata#deviceManagement/configurationPolicies")
    assert first["@odata.nextLink"].startswith(many.emulator.base_url + POLICIES + "?")
    everything = many.list_all(POLICIES)
    assert len(everything) == 62
    assert [p["name"] for p in everything] == sorted((p["name"] for p in everything), key=str.lower)
    assert len({p["id"] for p in everything}) == 62
    assert "settings" not in everything[0] and "assignments" not in everything[0]


def test_top_with_or_without_the_dollar(many: SettingsCatalog) -> None:
    for query in ("?$top=7", "?top=7"):
        body = many.get(POLICIES + query).json()
        assert len(body["value"]) == 7 and body["@odata.count"] == 7
        following = many.get(body["@odata.nextLink"]).json()
        assert len(following["value"]) == 7
        assert names(following)[0].lower() > names(body)[-1].lower()
    assert_graph_error(many.get(POLICIES + "?$top=1001"), 400)
    assert_graph_error(many.get(POLICIES + "?$top=x"), 400)
    assert_graph_error(many.get(POLICIES + "?$top=5&top=5"), 400)


def test_the_skiptoken_is_opaque_and_resumes_after_the_last_item(many: SettingsCatalog) -> None:
    first = many.get(POLICIES + "?$top=10").json()
    token = parse_qs(urlsplit(first["@odata.nextLink"]).query)["$skiptoken"][0]
    assert "P0" not in token and token.isascii()
    # Deleting what was already served moves nothing on the next page.
    for policy in first["value"][:5]:
        assert many.delete(f"{POLICIES}/{policy['id']}").status_code == 204
    second = many.get(first["@odata.nextLink"]).json()
    assert names(first)[:2] == ["Antivirus", "Mac"]
    assert names(second) == [f"{'p' if i % 2 else 'P'}{i:02d}" for i in range(8, 18)]
    assert_graph_error(many.get(POLICIES + "?$skiptoken=garbage"), 400)


def test_next_links_keep_the_filter_and_select(many: SettingsCatalog) -> None:
    query = "?$filter=technologies eq 'mdm'&$select=id,name&$top=20"
    items = many.list_all(POLICIES + query)
    assert len(items) == 61  # everything but the macOS policy
    assert all(set(item) == {"id", "name"} for item in items)


def test_select_picks_properties_and_names_them_in_the_context(sc: SettingsCatalog) -> None:
    sc.create()
    body = sc.get(POLICIES + "?$select=id,name,settingCount,isAssigned").json()
    assert set(body["value"][0]) == {"id", "name", "settingCount", "isAssigned"}
    assert body["@odata.context"].endswith("configurationPolicies(id,name,settingCount,isAssigned)")
    message = assert_graph_error(sc.get(POLICIES + "?$select=id,relationships"), 400, "BadRequest")
    assert message == (
        "Parsing OData Select and Expand failed: Could not find a property named 'relationships' "
        f"on type '{POLICY_TYPE}'."
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("templateReference/templateFamily eq 'none' and technologies has 'mdm'", 61),
        ("TemplateReference/TemplateFamily eq 'none'", 61),
        ("templateReference/templateFamily eq 'endpointSecurityAntivirus'", 1),
        ("platforms eq 'windows10'", 61),
        ("technologies eq 'mdm,appleRemoteManagement'", 1),
        ("technologies eq 'appleRemoteManagement,mdm'", 1),
        ("technologies has 'appleRemoteManagement'", 1),
        ("technologies has 'mdm'", 62),
        ("name eq 'P00' or name eq 'p01'", 2),
        ("Name eq 'P00'", 1),
        ("name eq 'p00'", 0),
        (
            "(platforms eq 'windows10' or platforms eq 'macOS') and (name eq 'Mac' or name eq 'P02')",
            2,
        ),
        ("(templateReference/templateFamily eq 'none')", 61),
    ],
)
def test_filters(many: SettingsCatalog, query: str, expected: int) -> None:
    assert len(many.list_all(f"{POLICIES}?$filter={query}")) == expected


def test_filter_string_literals_escape_quotes(make_emulator) -> None:
    emulator = make_emulator(
        seed={"configurationPolicies": [make_configuration_policy("O'Brien's policy")]}
    )
    session = SettingsCatalog(emulator)
    assert len(session.list_all(f"{POLICIES}?$filter=name eq 'O''Brien''s policy'")) == 1
    assert session.list_all(f"{POLICIES}?$filter=name eq 'O''Brien'") == []
    assert_graph_error(session.get(f"{POLICIES}?$filter=name eq 'O'Brien'"), 400)


@pytest.mark.parametrize(
    "query",
    [
        "contains(name,'P')",  # unverified live (§4.1)
        "startswith(name,'P')",
        "name ne 'P00'",
        "not (name eq 'P00')",
        "description eq 'd'",  # not a filterable property here
        "createdDateTime eq 2026",
        "name has 'P'",  # has needs a flags enum
        "platforms eq 'windows11'",  # not a member
        "name eq 'P00' and",
        "(name eq 'P00'",
        "name eq",
        "name EQ 'P00'",
        "",
    ],
)
def test_unsupported_filters_are_a_400(many: SettingsCatalog, query: str) -> None:
    assert_graph_error(many.get(f"{POLICIES}?$filter={query}"), 400, "BadRequest")


@pytest.mark.parametrize(
    "option", ["$orderby=name", "$count=true", "$search=x", "$skip=2", "orderby=name"]
)
def test_unknown_query_options_are_refused(sc: SettingsCatalog, option: str) -> None:
    assert_graph_error(sc.get(f"{POLICIES}?{option}"), 400)


def test_count_segments_are_refused(sc: SettingsCatalog) -> None:
    policy = sc.create()
    assert "$count" in assert_graph_error(sc.get(POLICIES + "/$count"), 400)
    assert "$count" in assert_graph_error(sc.get(f"{POLICIES}/{policy['id']}/settings/$count"), 400)


def test_non_odata_query_parameters_are_ignored(sc: SettingsCatalog) -> None:
    sc.create()
    assert sc.get(POLICIES + "?api-version=5024-01-18").status_code == 200


def test_expand_assignments_on_the_list(sc: SettingsCatalog) -> None:
    policy = sc.create()
    assert sc.assign(policy["id"], group("11111111-1111-4111-8111-111111111111")).ok
    body = sc.get(POLICIES + "?$expand=assignments").json()
    assert [a["target"]["groupId"] for a in body["value"][0]["assignments"]] == [
        "11111111-1111-4111-8111-111111111111"
    ]
    assert body["@odata.context"].endswith("configurationPolicies(assignments())")


def test_expand_settings_on_the_list_is_refused(sc: SettingsCatalog) -> None:
    sc.create()
    for query in ("?$expand=settings", "?$expand=assignments,settings", "?expand=settings"):
        assert "settings" in assert_graph_error(sc.get(POLICIES + query), 400, "BadRequest")


def test_expand_on_one_policy(sc: SettingsCatalog) -> None:
    policy = sc.create("P", choice(WORD_MACROS, "_1"), save_as())
    sc.assign(policy["id"], group("11111111-1111-4111-8111-111111111111"))
    both = sc.policy(policy["id"], "?$expand=assignments,settings")
    assert both["@odata.context"].endswith(
        "configurationPolicies(assignments(),settings())/$entity"
    )
    assert len(both["settings"]) == 2 and len(both["assignments"]) == 1
    assert "settings@odata.nextLink" not in both
    only = sc.policy(policy["id"], "?$expand=settings")
    assert "assignments" not in only and "settingDefinitions" not in only["settings"][0]
    nested = sc.policy(policy["id"], "?$expand=settings($expand=settingDefinitions)")
    ids = [d["id"] for d in nested["settings"][1]["settingDefinitions"]]
    assert ids == [
        policy_setting_id(nested, 1),
        policy_setting_id(nested, 1) + "_l_saveexcelfilesas1",
    ]
    selected = sc.policy(policy["id"], "?$select=name&$expand=settings")
    assert set(selected) == {"@odata.context", "name", "settings"}


def policy_setting_id(policy: dict[str, Any], index: int) -> str:
    return str(policy["settings"][index]["settingInstance"]["settingDefinitionId"])


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("?$expand=relationships", "relationships"),
        ("?$expand=settings,bogus", "bogus"),
    ],
)
def test_a_bad_expand_is_the_verbatim_400(sc: SettingsCatalog, query: str, name: str) -> None:
    policy = sc.create()
    message = assert_graph_error(sc.get(f"{POLICIES}/{policy['id']}{query}"), 400, "BadRequest")
    assert message == (
        f"Parsing OData Select and Expand failed: Could not find a property named '{name}' on "
        f"type '{POLICY_TYPE}'."
    )


@pytest.mark.parametrize(
    "query",
    [
        "?$expand=settings($top=1)",
        "?$expand=assignments($expand=target)",
        "?$expand=settings($expand=bogus)",
        "?$expand=settings(",
        "?$filter=name eq 'x'",
    ],
)
def test_unsupported_expand_forms_on_one_policy(sc: SettingsCatalog, query: str) -> None:
    policy = sc.create()
    assert_graph_error(sc.get(f"{POLICIES}/{policy['id']}{query}"), 400)


def test_settings_collection_pages_and_takes_top_up_to_1000(sc: SettingsCatalog) -> None:
    instances = [
        choice(d, "_1")
        for d in (WORD_MACROS, EXCEL_MACROS, PPT_MACROS, ACCESS_MACROS, VISIO_MACROS)
    ]
    policy = sc.create("P", *instances, save_as(), online_repair(), storage_filter())
    path = f"{POLICIES}/{policy['id']}/settings"
    body = sc.get(path + "?top=2").json()
    assert [s["id"] for s in body["value"]] == ["0", "1"] and body["@odata.count"] == 2
    assert body["@odata.context"].endswith(f"configurationPolicies('{policy['id']}')/settings")
    items = sc.list_all(path + "?$top=3")
    assert [s["id"] for s in items] == [str(i) for i in range(8)]
    assert len(sc.get(path + "?top=1000").json()["value"]) == 8
    assert "@odata.nextLink" not in sc.get(path).json()  # fewer than 25
    assert_graph_error(sc.get(path + "?top=1001"), 400)


def test_settings_collection_defaults_to_25_a_page(sc: SettingsCatalog) -> None:
    toggles = [choice(f"emulator_synthetic_toggle_{i:03d}", "_1") for i in range(30)]
    policy = sc.create("Big", *toggles)
    path = f"{POLICIES}/{policy['id']}/settings"
    first = sc.get(path).json()
    assert len(first["value"]) == 25 and first["@odata.nextLink"].startswith(sc.emulator.base_url)
    assert [s["id"] for s in sc.list_all(path)] == [str(i) for i in range(30)]
    assert policy["settingCount"] == 30
    # $expand=settings on one policy returns all of them inline, without a nextLink.
    assert len(sc.policy(policy["id"], "?$expand=settings")["settings"]) == 30


def test_settings_collection_expands_definitions(sc: SettingsCatalog) -> None:
    policy = sc.create("P", save_as())
    body = sc.get(f"{POLICIES}/{policy['id']}/settings?$expand=settingDefinitions").json()
    assert body["@odata.context"].endswith("/settings(settingDefinitions())")
    definitions = body["value"][0]["settingDefinitions"]
    assert [d["@odata.type"] for d in definitions] == [
        "#microsoft.graph.deviceManagementConfigurationChoiceSettingDefinition"
    ] * 2
    assert_graph_error(sc.get(f"{POLICIES}/{policy['id']}/settings?$expand=bogus"), 400)
    one = sc.get(f"{POLICIES}('{policy['id']}')/settings('0')?$expand=settingDefinitions").json()
    assert one["id"] == "0" and len(one["settingDefinitions"]) == 2
    listed = sc.get(f"{POLICIES}/{policy['id']}/settings/0/settingDefinitions").json()
    assert [d["id"] for d in listed["value"]] == [d["id"] for d in definitions]
    assert_graph_error(sc.get(f"{POLICIES}/{policy['id']}/settings/5"), 404)


def test_setting_count_matches_the_settings_listing(sc: SettingsCatalog) -> None:
    policy = sc.create("P", choice(WORD_MACROS, "_1"), choice(EXCEL_MACROS, "_0"), save_as())
    listed = sc.list_all(f"{POLICIES}/{policy['id']}/settings?$top=1")
    assert len(listed) == sc.policy(policy["id"])["settingCount"] == 3
