"""Aspect: what `manifests.load` returns for valid input: the `Desired` contract.

Covers the example set, declared-only specs (absent vs explicit null), payloads from files
and inline, normalised assignments, ignore pointers, source positions, file discovery and
order, encodings, and the manifest hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ManifestError
from reconciler.kinds import REGISTRY
from reconciler.load import manifests
from reconciler.values.canonical import plain
from reconciler.values.desired import SourcePosition

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "manifests"


def policy(name: str = "baseline", priority: int = 1) -> str:
    return (
        "apiVersion: reconciler/v1\n"
        "kind: WindowsOfficeClientSecurityConfiguration\n"
        "metadata:\n"
        f"  name: {name}\n"
        "spec:\n"
        f"  displayName: {name.title()}\n"
        f"  priority: {priority}\n"
    )


POLICY = policy()


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    """Write a file; its path relative to the working directory, as a user would type it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return os.path.relpath(path)


def one(paths: list[str]):
    (resource,) = manifests.load(paths).resources
    return resource


# --- the example set ---------------------------------------------------------------------


def test_examples_load_with_every_kind(monkeypatch):
    monkeypatch.chdir(REPO)
    desired = manifests.load(["manifests"])
    assert desired.files == (
        "manifests/admin-templates.yaml",
        "manifests/office-configuration.yaml",
        "manifests/security.yaml",
        "manifests/settings-catalog.yaml",
        "manifests/user-preferences.yaml",
    )  # reconciler.yaml at the root is the set's own settings, not a manifest
    assert {r.kind for r in desired.resources} == set(REGISTRY.names())
    assert [r.address for r in desired.resources] == [
        "AdministrativeTemplatePolicy/office-trust-center",
        "OfficeConfiguration/officeConfiguration",
        "WindowsOfficeClientSecurityConfiguration/macro-security",
        "WindowsOfficeClientSecurityConfiguration/addin-hardening",
        "SettingsCatalogPolicy/office-macros",
        "SettingsCatalogPolicy/excel-save-format",
        "WindowsOfficeClientConfiguration/default-file-formats",
        "WindowsOfficeClientConfiguration/outlook-pilot",
    ]
    assert desired.scope == (
        "WindowsOfficeClient*/*",
        "SettingsCatalogPolicy/Office - *",
        "AdministrativeTemplatePolicy/Office - *",
    )
    policies = [r for r in desired.resources if "priority" in r.spec]
    assert sorted(r.spec["priority"] for r in policies) == [1, 2, 3, 4]


def test_examples_payloads_assignments_and_ignore(monkeypatch):
    monkeypatch.chdir(REPO)
    by_name = {r.name: r for r in manifests.load(["manifests"]).resources}
    macro = by_name["macro-security"]
    assert macro.payload_files == {"policyPayload": "payloads/macro-security.json"}
    assert plain(macro.spec["policyPayload"]) == json.loads(
        (EXAMPLES / "payloads/macro-security.json").read_text(encoding="utf-8")
    )
    assert macro.spec["assignments"] == [
        {"target": "group", "groupId": "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"},
        {"target": "group", "groupId": "6c2b7d1e-9a4f-4e8b-b3d5-2f1a0c9e8d7b"},  # lower-cased
    ]
    formats = by_name["default-file-formats"]
    assert formats.ignore == ("/description",)
    assert plain(formats.spec["userPreferencePayload"])["settings"][1] == {
        "id": "L_RecentFilesList",
        "app": "excel",
        "value": "25",
    }
    pilot = by_name["outlook-pilot"]
    assert pilot.payload_files == {}
    assert pilot.spec["userPreferencePayload"] is None
    office = by_name["officeConfiguration"]
    assert office.spec["tenantUserCheckinSummary"]["@odata.type"] == (
        "microsoft.graph.officeUserCheckinSummary"
    )
    status = office.spec["tenantCheckinStatuses"][0]
    assert status["checkinDateTime"] == "2026-11-02T08:15:30.0000000+00:00"
    assert status["devicePlatformVersion"] == "10.0.22631"
    assert status["errorMessage"] is None


# --- declared fields only ----------------------------------------------------------------


def test_absent_fields_are_not_in_spec_and_explicit_null_is_kept(here):
    write(here / "m/p.yaml", POLICY + "  description: null\n  assignments: []\n")
    resource = one(["m"])
    assert resource.spec == {
        "displayName": "Baseline",
        "priority": 1,
        "description": None,
        "assignments": [],
    }
    assert "policyPayload" not in resource.spec


def test_null_payload_and_null_assignments_clear(here):
    write(here / "m/p.yaml", POLICY + "  policyPayload: null\n  assignments: ~\n")
    resource = one(["m"])
    assert resource.spec["policyPayload"] is None
    assert resource.spec["assignments"] is None
    assert resource.payload_files == {}


def test_inline_payload_may_be_any_json_value(here):
    write(here / "m/p.yaml", POLICY + "  policyPayload: {inline: [1, 'two', {three: false}]}\n")
    assert plain(one(["m"]).spec["policyPayload"]) == [1, "two", {"three": False}]


def test_assignments_are_lower_cased_and_sorted(here):
    groups = ["BBBBBBBB-0000-4000-8000-000000000000", "aaaaaaaa-0000-4000-8000-000000000000"]
    write(
        here / "m/p.yaml",
        POLICY + "  assignments:\n" + "".join(f"    - groupId: {g}\n" for g in groups),
    )
    assert one(["m"]).spec["assignments"] == [
        {"target": "group", "groupId": "aaaaaaaa-0000-4000-8000-000000000000"},
        {"target": "group", "groupId": "bbbbbbbb-0000-4000-8000-000000000000"},
    ]


def test_an_assignment_given_twice_is_refused_at_its_line(here):
    # A set cannot hold one target twice: the second is a copy-paste slip, never meant.
    groups = ["BBBBBBBB-0000-4000-8000-000000000000", "bbbbbbbb-0000-4000-8000-000000000000"]
    write(
        here / "m/p.yaml",
        POLICY + "  assignments:\n" + "".join(f"    - groupId: {g}\n" for g in groups),
    )
    with pytest.raises(ManifestError) as raised:
        manifests.load(["m"])
    (issue,) = raised.value.issues
    assert (issue.line, issue.column, issue.path) == (10, 7, "spec.assignments[1]")
    assert issue.message == "this assignment repeats assignments[0]"


def test_yaml_1_2_scalars_stay_what_they_look_like(here):
    # `yes` is text in YAML 1.2, a timestamp stays text, quoted numbers stay text.
    write(
        here / "m/p.yaml",
        POLICY + "  policyPayload:\n    inline: {a: yes, b: 2026-01-01, c: '3', d: 0x10, e: 1e3}\n",
    )
    assert plain(one(["m"]).spec["policyPayload"]) == {
        "a": "yes",
        "b": "2026-01-01",
        "c": "3",
        "d": 16,
        "e": 1000.0,
    }


def test_aliases_within_a_document_are_expanded(here):
    text = (
        POLICY
        + "  policyPayload: {inline: &shared {fileFormat: docx}}\n  userPreferencePayload: {inline: *shared}\n"
    )
    resource = one([write(here / "p.yaml", text)])
    assert (
        plain(resource.spec["policyPayload"])
        == plain(resource.spec["userPreferencePayload"])
        == {"fileFormat": "docx"}
    )


def test_a_quoted_merge_key_is_an_ordinary_key(here):
    # Only a plain `<<` is YAML's merge key; "<<" in quotes is JSON text like any other.
    text = POLICY + "  policyPayload: {inline: {'<<': null, \"<<x\": 1}}\n"
    assert plain(one([write(here / "p.yaml", text)]).spec["policyPayload"]) == {
        "<<": None,
        "<<x": 1,
    }


def test_anchors_do_not_reach_into_the_next_document(here):
    text = POLICY + "  description: &d shared\n---\n" + policy("b2", 2)
    with pytest.raises(ManifestError) as caught:
        manifests.load([write(here / "p.yaml", text + "  description: *d\n")])
    assert [str(i) for i in caught.value.issues] == [
        "p.yaml:17:16: spec.description: alias '*d' has no anchor '&d' before it"
    ]


# --- ignore pointers ---------------------------------------------------------------------


def test_ignore_pointers_are_relative_to_spec_and_deduplicated(here):
    text = POLICY.replace(
        "  name: baseline\n",
        "  name: baseline\n  ignore: [/description, /spec/description, /spec/policyPayload/settings/0]\n",
    )
    assert one([write(here / "m/p.yaml", text)]).ignore == (
        "/description",
        "/policyPayload/settings/0",
    )


# --- positions ---------------------------------------------------------------------------


def test_positions_of_every_node_are_one_based(here):
    text = (
        POLICY
        + "  assignments:\n    - groupId: aaaaaaaa-0000-4000-8000-000000000000\n  policyPayload: {inline: {a: [1]}}\n"
    )
    resource = one([write(here / "m/p.yaml", text)])
    at = {pointer: (p.line, p.column) for pointer, p in resource.positions.items()}
    assert at[""] == (1, 1)
    assert at["/kind"] == (2, 7)
    assert at["/metadata"] == (3, 1)  # a block collection: at its key
    assert at["/metadata/name"] == (4, 9)
    assert at["/spec/priority"] == (7, 13)
    assert at["/spec/assignments"] == (8, 3)
    assert at["/spec/assignments/0"] == (9, 7)
    assert at["/spec/assignments/0/groupId"] == (9, 16)
    assert at["/spec/policyPayload"] == (10, 18)  # a flow collection: at its opening brace
    assert at["/spec/policyPayload/inline/a/0"] == (10, 32)
    assert resource.positions["/spec/priority"] == SourcePosition(
        file="m/p.yaml", line=7, column=13
    )
    assert resource.position("/spec/priority/missing") == resource.positions["/spec/priority"]


def test_positions_count_lines_of_later_documents(here):
    text = "# comment\n---\n" + POLICY + "---\n" + policy("b2", 2)
    second = manifests.load([write(here / "p.yaml", text)]).resources[1]
    assert (second.positions["/spec/priority"].line, second.file) == (17, "p.yaml")


# --- discovery, encodings, hash ----------------------------------------------------------


def test_directories_are_walked_sorted_skipping_hidden_and_other_files(here):
    write(here / "m/b.yml", policy("b", 2))
    write(here / "m/a/z.yaml", POLICY)
    write(here / "m/.hidden.yaml", "not: [valid")
    write(here / "m/.git/x.yaml", "not: [valid")
    write(here / "m/notes.txt", "not: [valid")
    write(here / "m/empty.yaml", "# nothing yet\n---\n")
    desired = manifests.load(["m/", "m/b.yml"])  # b.yml twice: read once
    assert desired.files == ("m/a/z.yaml", "m/b.yml", "m/empty.yaml")
    assert [r.name for r in desired.resources] == ["baseline", "b"]


def test_a_single_file_has_its_directory_as_root(here):
    write(here / "m/payloads/p.json", '{"settings": []}')
    write(here / "m/p.yaml", POLICY + "  policyPayload: {file: payloads/p.json}\n")
    resource = one(["m/p.yaml"])
    assert (resource.file, resource.payload_files) == (
        "m/p.yaml",
        {"policyPayload": "payloads/p.json"},
    )


def test_payload_paths_may_climb_within_the_root(here):
    write(here / "m/payloads/p.json", "[]")
    write(here / "m/policies/p.yaml", POLICY + "  policyPayload: {file: ../payloads/p.json}\n")
    assert plain(one(["m"]).spec["policyPayload"]) == []


def test_utf8_byte_order_mark_is_accepted(here):
    (here / "p.yaml").write_bytes(b"\xef\xbb\xbf" + POLICY.encode("utf-8"))
    assert one(["p.yaml"]).spec["displayName"] == "Baseline"


def test_manifest_hash_is_canonical_json_of_what_is_declared(here):
    desired = manifests.load([write(here / "p.yaml", POLICY)])
    body: list[dict[str, Any]] = [
        {
            "kind": "WindowsOfficeClientSecurityConfiguration",
            "name": "baseline",
            "id": None,
            "spec": {"displayName": "Baseline", "priority": 1},
            "ignore": [],
        }
    ]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    assert desired.manifest_hash == hashlib.sha256(canonical.encode()).hexdigest()
    # Comments and formatting are not part of the desired state.
    reformatted = write(
        here / "p.yaml", "# hi\n" + POLICY.replace("priority: 1", "priority:   1   # top")
    )
    assert manifests.load([reformatted]).manifest_hash == desired.manifest_hash
