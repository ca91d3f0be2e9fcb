"""Aspects of the fleet file and each tenant's manifest set, offline (`fleet validate`):

- a value missing or of the wrong type is an error at the manifest's file:line:col that
  names the tenant, in YAML and in a settings file; every tenant's problems in one run,
  exit 1, no traceback; `--format json` lists the same issues with their tenants;
- the fleet file's own mistakes are located in it (an undeclared value, a duplicate name or
  id, an overlay outside the fleet's folder, an exclusion of nothing in the baseline);
- `${var.NAME}` takes the typed value when it is the whole string, its text inside longer
  text, `$${` is a literal `${`, other `${...}` is left alone;
- overlays replace a baseline resource of the same kind and name whole, exclusions drop one;
- `--shard K/N` keeps every tenant on its shard when tenants are added, and together the
  shards hold each tenant once; a malformed `--shard` is a usage error.
"""

from __future__ import annotations

import json
import re

import pytest

from reconciler.errors import ConfigError
from reconciler.fleet.selection import parse_shard, select, shard_of
from reconciler.fleet.sets import tenant_set
from reconciler.fleet.spec import load_fleet
from reconciler.load.variables import Expansion
from tests.support.cli import run

from .support import TENANTS, write_fleet


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_missing_and_ill_typed_values_are_located_in_the_manifest_naming_the_tenant(
    capsys, tmp_path
) -> None:
    fleet_file = write_fleet(tmp_path, TENANTS[:3])
    text = fleet_file.read_text()
    text = text.replace(f"values: {{excludedGroup: {TENANTS[1].excluded_group}}}", "values: {}")
    text = text.replace(f"{{excludedGroup: {TENANTS[2].excluded_group}}}", "{excludedGroup: 42}")
    fleet_file.write_text(text)
    found = run(capsys, "fleet", "validate", str(fleet_file))
    assert found.code == 1 and "Traceback" not in found.err
    policies = tmp_path / "fleet" / "baseline" / "policies.yaml"
    row = line_of(policies, "groupId: ${var.excludedGroup}")
    where = f"error: {policies}:{row}:16: spec.assignments[1].groupId: "
    lines = found.err.splitlines()
    assert any(
        line.startswith(where + "${var.excludedGroup} has no value for tenant fabrikam")
        for line in lines
    ), lines
    assert any(
        line.startswith(where + "${var.excludedGroup} of tenant northwind is 42, not a guid")
        for line in lines
    )
    assert lines[-1] == "error: 2 error(s) in the manifests of 2 tenant(s): fabrikam, northwind"
    as_json = run(capsys, "fleet", "validate", str(fleet_file), "--format", "json")
    document = json.loads(as_json.out)
    assert as_json.code == 1 and document["valid"] is False
    assert [(i["line"], i["tenants"]) for i in document["issues"]] == [
        (row, ["fabrikam"]),
        (row, ["northwind"]),
    ]
    assert [t["resources"] for t in document["tenants"]] == [1, None, None]


def test_a_variable_in_a_settings_file_is_located_in_that_file(capsys, tmp_path) -> None:
    fleet_file = write_fleet(tmp_path, TENANTS[:2])
    settings = tmp_path / "fleet" / "baseline" / "settings" / "office-macros.json"
    text = settings.read_text()
    first = re.search(r'"value": "([^"]+)"', text)
    assert first is not None
    settings.write_text(text.replace(first.group(1), "${var.macroValue}", 1))
    found = run(capsys, "fleet", "validate", str(fleet_file))
    assert found.code == 1
    row = line_of(settings, "${var.macroValue}")
    assert (
        f"error: {settings}:{row}:18: [0].settingInstance.choiceSettingValue.value: "
        "${var.macroValue}: no variable 'macroValue' is declared in the fleet"
    ) in found.err


def test_the_fleet_files_own_mistakes_are_located_in_it(capsys, tmp_path) -> None:
    fleet_file = write_fleet(tmp_path, TENANTS[:2])
    text = fleet_file.read_text()
    text = text.replace("name: fabrikam", "name: contoso")
    text = text.replace("overlays: [tenants/contoso/]", "overlays: [../elsewhere/]")
    text = text.replace(
        f"values: {{excludedGroup: {TENANTS[1].excluded_group}}}",
        f"values: {{excludedGrop: {TENANTS[1].excluded_group}}}",
    )
    fleet_file.write_text(text)
    (tmp_path / "elsewhere").mkdir()
    found = run(capsys, "fleet", "validate", str(fleet_file))
    assert found.code == 1 and "Traceback" not in found.err
    shown = str(fleet_file)
    expected = [
        f"{shown}:{line_of(fleet_file, 'overlays:')}:18: spec.tenants[0].overlays[0]: "
        "'../elsewhere/' is outside the fleet file's folder",
        f"{shown}:{line_of(fleet_file, '- name: contoso') + 6}:13: spec.tenants[1].name: "
        "tenant name 'contoso' is already used by tenants[0]",
        "no variable 'excludedGrop' is declared (did you mean 'excludedGroup'?)",
    ]
    for part in expected:
        assert part in found.err, found.err
    assert found.err.splitlines()[-1] == "error: 3 errors in the fleet file"


def test_an_exclusion_of_nothing_in_the_baseline_is_an_error(capsys, tmp_path) -> None:
    fleet_file = write_fleet(tmp_path, TENANTS[:1])
    fleet_file.write_text(
        fleet_file.read_text().replace(
            "SettingsCatalogPolicy/outlook-pilot", "SettingsCatalogPolicy/nope"
        )
    )
    found = run(capsys, "fleet", "validate", str(fleet_file))
    assert found.code == 1
    assert "SettingsCatalogPolicy/nope is in no baseline manifest" in found.err


def test_overlays_replace_whole_and_exclusions_drop(tmp_path) -> None:
    fleet = load_fleet(write_fleet(tmp_path, TENANTS[:2]))
    contoso = tenant_set(fleet, fleet.tenants[0]).desired.resources
    fabrikam = tenant_set(fleet, fleet.tenants[1]).desired.resources
    assert [r.address for r in contoso] == ["SettingsCatalogPolicy/office-macros"]
    assert "assignments" not in contoso[0].spec  # the overlay's, whole: none of the baseline's
    assert [r.address for r in fabrikam] == [
        "SettingsCatalogPolicy/office-macros",
        "SettingsCatalogPolicy/outlook-pilot",
    ]
    assert fabrikam[0].spec["description"] == "Macros from the internet are blocked for the fleet"


def test_references_take_typed_values_text_and_escapes() -> None:
    expansion = Expansion(
        tenant="t",
        types={"n": "int", "b": "bool", "s": "string", "g": "guid"},
        values={"n": 7, "b": False, "s": "x", "g": None},
    )
    assert expansion.text("${var.n}") == (7, [])
    assert expansion.text("${var.b}") == (False, [])
    assert expansion.text("${var.g}") == (None, [])
    assert expansion.text("n=${var.n}, b=${var.b}, ${var.s}") == ("n=7, b=false, x", [])
    assert expansion.text("$${var.n} and ${env:PATH} and $HOME") == (
        "${var.n} and ${env:PATH} and $HOME",
        [],
    )
    value, problems = expansion.text("id ${var.g}")
    assert problems == ["${var.g} of tenant t is null, which cannot be part of a text"]
    value, problems = expansion.text("${var.n")
    assert value == "${var.n" and "is not closed" in problems[0]


def test_shards_are_stable_when_tenants_are_added_and_cover_each_tenant_once(tmp_path) -> None:
    fleet = load_fleet(write_fleet(tmp_path))
    before = {t.name: shard_of(t.tenant_id, 3) for t in fleet.tenants}
    shards = [select(fleet, shard=parse_shard(f"{k}/3")) for k in range(3)]
    assert sorted(t.name for s in shards for t in s) == sorted(t.name for t in TENANTS)
    assert all(t.name in before and before[t.name] == k for k, s in enumerate(shards) for t in s)
    bigger = load_fleet(write_fleet(tmp_path / "more", [*TENANTS, *[_extra(n) for n in range(20)]]))
    after = {t.name: shard_of(t.tenant_id, 3) for t in bigger.tenants}
    assert {name: after[name] for name in before} == before
    assert len({after[t] for t in after}) == 3  # the new tenants spread over every shard
    # SHA-256 of the lower-case id, as a big-endian number, modulo N: the same in any shell.
    import hashlib

    first = TENANTS[0].tenant_id
    assert shard_of(first.upper(), 7) == int(hashlib.sha256(first.encode()).hexdigest(), 16) % 7


def _extra(n: int):
    from .support import FleetTenant

    return FleetTenant(
        f"extra{n}", f"{n:08x}-1234-4123-8123-{n:012x}", "broad", TENANTS[0].excluded_group, ""
    )


@pytest.mark.parametrize("text", ["2/2", "-1/3", "1", "a/b", "0/0"])
def test_a_malformed_shard_is_refused(text) -> None:
    with pytest.raises(ConfigError, match=r"expected K/N with 0 <= K < N"):
        parse_shard(text)


def test_bad_selection_and_budget_are_usage_errors(capsys, tmp_path) -> None:
    fleet_file = str(write_fleet(tmp_path, TENANTS[:2]))
    out = ("--out", str(tmp_path / "plans"), "--graph-url", "http://127.0.0.1:9/beta")
    cases = {
        ("--tenant", "nobody"): "--tenant nobody: no such tenant in",
        ("--ring", "gold"): "--ring gold: no tenant of",
        ("--shard", "3/2"): "--shard 3/2: expected K/N",
        ("--budget", "0"): "--budget 0: a share of Graph's limits, more than 0 and at most 1",
        ("--concurrency", "0"): "--concurrency 0: at least 1",
    }
    for extra, message in cases.items():
        found = run(capsys, "fleet", "plan", fleet_file, *out, *extra)
        assert found.code == 1 and message in found.err, (extra, found.err)
        assert "Traceback" not in found.err
    assert not (tmp_path / "plans" / "fleet-plan.json").exists()


@pytest.mark.parametrize(
    ("index", "problem"),
    [
        ({}, "'fleet' is missing or not a string"),
        ({"tenants": None}, "'tenants' is missing or not a list"),
        (
            {"tenants": [{"name": "a", "tenant_id": "t", "status": "changes"}]},
            "tenants[0].position",
        ),
    ],
)
def test_a_damaged_fleet_index_is_a_plan_file_error_not_an_internal_one(
    capsys, tmp_path, index, problem
) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    base = {"kind": "fleet-plan", "format_version": 1, "tenants": [], "summary": {}}
    fields = dict.fromkeys(("fleet", "fleet_digest", "created_at", "graph_url"), "x")
    document = {**base, **({} if index == {} else fields), **index}
    (folder / "fleet-plan.json").write_text(json.dumps(document), encoding="utf-8")
    for argv in (("show", str(folder)), ("fleet", "apply", str(folder))):
        found = run(capsys, *argv)
        assert found.code == 1 and "a damaged fleet-plan index" in found.err, found.err
        assert problem in found.err and "internal error" not in found.err


def test_a_malformed_tenant_id_is_called_a_tenant_id(capsys, tmp_path) -> None:
    fleet_file = write_fleet(tmp_path, TENANTS[:2])
    text = fleet_file.read_text(encoding="utf-8")
    fleet_file.write_text(text.replace(TENANTS[1].tenant_id, "not-a-guid", 1), encoding="utf-8")
    found = run(capsys, "fleet", "validate", str(fleet_file))
    assert found.code == 1 and "'not-a-guid' is not a valid tenantId" in found.err, found.err
    assert "group id" not in found.err
