"""`reconciler catalog search` over HTTP against the emulator: without --kind it searches
every kind with a catalog, each under its own heading; a Settings Catalog hit pasted under a
manifest's settings plans as a create with that setting; a search that finds nothing says
so; a kind without a catalog is a usage error naming the ones with one, before any read."""

from __future__ import annotations

import json

from tests.support.cli import run

WORD_BLOCK = (
    "user_vendor_msft_policy_config_word16v2~policy~l_microsoftofficeword~l_wordoptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)


def search(capsys, emulator, *argv: str):
    return run(capsys, "catalog", "search", *argv, "--graph-url", emulator.base_url)


def test_without_a_kind_every_catalog_is_searched(capsys, emulator):
    found = search(capsys, emulator, "Block macros from running")
    assert found.code == 0, found.err
    headings = [line for line in found.out.splitlines() if line.startswith("## ")]
    assert [h.split(":")[0] for h in headings] == [
        "## SettingsCatalogPolicy",
        "## AdministrativeTemplatePolicy",
    ]
    assert all("match 'Block macros from running'" in h for h in headings)
    assert (
        "- definition: 'user:\\Microsoft Word 2016\\Word Options\\Security\\Trust Center:"
        "Block macros from running in Office files from the Internet'" in found.out
    )
    assert f"  settingDefinitionId: '{WORD_BLOCK}'" in found.out


def test_a_settings_catalog_hit_pasted_under_settings_plans_as_written(capsys, emulator, tmp_path):
    found = search(capsys, emulator, "Block macros", "--kind", "SettingsCatalogPolicy")
    assert found.code == 0, found.err
    lines = found.out.splitlines()
    start = lines.index("- '@odata.type': '#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance'", lines.index(f"  settingDefinitionId: '{WORD_BLOCK}'") - 1)  # fmt: skip
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    pasted = "\n".join(f"    {line}" for line in lines[start:end])
    root = tmp_path / "m"
    root.mkdir()
    (root / "p.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: SettingsCatalogPolicy\nmetadata: {name: pasted}\n"
        "spec:\n  name: Office - pasted\n  platforms: windows10\n  technologies: mdm\n"
        f"  settings:\n{pasted}\n",
        encoding="utf-8",
    )
    result = run(capsys, "plan", str(root), "--graph-url", emulator.base_url, "--format", "json")
    assert result.code == 0, result.err
    (change,) = json.loads(result.out)["changes"]
    (create, *_rest) = change["steps"]
    (setting,) = create["body"]["settings"]
    value = setting["settingInstance"]["choiceSettingValue"]["value"]
    assert value == f"{WORD_BLOCK}_0"  # the first option, as printed


def test_a_search_that_finds_nothing_says_so(capsys, emulator):
    found = search(
        capsys, emulator, "no such setting anywhere", "--kind", "AdministrativeTemplatePolicy"
    )
    assert found.code == 0, found.err
    assert found.out.strip() == (
        "## AdministrativeTemplatePolicy: 0 definition(s) in "
        "/deviceManagement/groupPolicyDefinitions match 'no such setting anywhere'"
    )


def test_a_kind_without_a_catalog_is_refused_before_any_read(capsys, emulator):
    refused = search(capsys, emulator, "x", "--kind", "WindowsOfficeClientConfiguration")
    assert refused.code == 1
    assert refused.err.splitlines() == [
        "error: --kind WindowsOfficeClientConfiguration: not a kind with a setting catalog",
        "hint: Use one of: SettingsCatalogPolicy, AdministrativeTemplatePolicy.",
    ]
    assert emulator.stats()["total"] == 0
