"""Aspect: the fast readings (YAML with no positions recorded, JSON settings files checked
for repeated keys in C) give exactly what the full, positioned readings give, and leave
everything unusual to them: a value, a problem or a position never depends on which one
read the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.files import FileProblem, read_json_text
from reconciler.load import manifests, yaml_events

COMMON = [
    "a: 1\nb: [x, 'y', \"z\"]\nc: {d: null, e: 2.5, f: true}\n",
    "---\nname: one\n---\nname: two\nlist:\n  - - 1\n    - -2\n  - {}\n  - []\n",
    "k: |\n  text\n  lines\nquoted: '1'\nplain: 0x1F\noct: 0o17\nempty:\n",
    "yes: no\n1: on\nwhen: 2024-01-01\n",  # YAML 1.2: strings, keys stay text
    "",
]
UNUSUAL = [
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "a: !!str 1\n",  # a tag
    "base: {a: 1}\nother:\n  <<: {b: 2}\n",  # a merge key
    "a: 1\na: 2\n",  # a repeated key
    "a: .inf\n",  # not a JSON number
    "? [a]\n: 1\n",  # a collection as a key
    "a: [1, 2\n",  # a syntax error
]


@pytest.mark.parametrize("text", COMMON)
def test_the_fast_path_reads_common_yaml_as_the_full_builder_does(text):
    assert yaml_events._parse_fast(text) is not None  # the fast path takes it
    fast, problems = yaml_events.parse(text)
    full, full_problems = yaml_events._parse_full(text)
    assert problems == full_problems == []
    assert len(fast) == len(full) == (text.count("---") or (1 if text else 0))
    assert all(doc.where is None for doc in fast)  # read fast: no position recorded yet
    assert [d.value for d in fast] == [d.value for d in full]
    assert [d.start for d in fast] == [d.start for d in full]
    assert [d.root for d in fast] == [d.root for d in full]  # known without reading them
    assert all(doc.where is None for doc in fast)
    # positions come on first use, the same as the full builder's
    assert [(d.values, d.keys, d.block) for d in fast] == [
        (d.values, d.keys, d.block) for d in full
    ]


@pytest.mark.parametrize("text", UNUSUAL)
def test_anything_unusual_is_read_by_the_full_builder(text):
    assert yaml_events._parse_fast(text) is None
    found, problems = yaml_events.parse(text)
    full, full_problems = yaml_events._parse_full(text)
    assert problems == full_problems
    assert [(d.value, d.clean, d.values) for d in found] == [
        (d.value, d.clean, d.values) for d in full
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_repeated_json_key_is_refused_even_behind_an_escaped_colon(tmp_path):
    # The kept value's escaped colon would make up for the lost pair's in a bare count.
    for text in ('{"a": 1, "a": 2}', '{"a": 1, "a": "\\u003a"}', '[{"k": "x:y", "k": 1}]'):
        with pytest.raises(FileProblem, match="duplicate key 'a'|duplicate key 'k'"):
            read_json_text(_write(tmp_path, text))
    value, _ = read_json_text(_write(tmp_path, '{"a": "x:y", "b": {"c": "::"}}'))
    assert value == {"a": "x:y", "b": {"c": "::"}}


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    text = json.dumps({"a": "[" * 200, "b": [[{"c": "{" * 100}]]})
    assert read_json_text(_write(tmp_path, text))[0]["b"][0][0]["c"] == "{" * 100
    with pytest.raises(FileProblem, match="nested more than 64 levels deep"):
        read_json_text(_write(tmp_path, "[" * 70 + "]" * 70))
    deepest = "[" * 64 + "]" * 64
    assert read_json_text(_write(tmp_path, deepest))[0] == json.loads(deepest)


SC_POLICY = """\
apiVersion: reconciler/v1
kind: SettingsCatalogPolicy
metadata:
  name: macros
spec:
  name: Office - macros
  platforms: windows10
  technologies: mdm
  settings: {file: s.json}
"""
WORD = (
    "user_vendor_msft_policy_config_word16v2~policy~l_microsoftofficeword~l_wordoptions"
    "~l_security~l_trustcenter_l_blockmacroexecutionfrominternet"
)


def _settings(annotation_key: str) -> str:
    instance = {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance",
        "settingDefinitionId": WORD,
        "choiceSettingValue": {"value": WORD + "_1", "children": []},
    }
    text = json.dumps([{"settingInstance": instance}])
    return text.replace('"settingDefinitionId"', f'"{annotation_key}": "x", "settingDefinitionId"')


@pytest.mark.parametrize("key", ["@odata.context", "\\u0040odata.context"])
def test_an_annotation_in_a_settings_file_is_dropped_however_it_is_written(tmp_path, key):
    (tmp_path / "m.yaml").write_text(SC_POLICY)
    (tmp_path / "s.json").write_text(_settings(key))
    (resource,) = manifests.load([str(tmp_path)]).resources
    (item,) = resource.spec["settings"]
    assert "@odata.context" not in item["settingInstance"]
    assert item["settingInstance"]["settingDefinitionId"] == WORD


def test_a_problem_in_a_fast_read_file_is_still_located(tmp_path):
    (tmp_path / "m.yaml").write_text(SC_POLICY.replace("platforms: windows10", "platforms: 7"))
    (tmp_path / "s.json").write_text(_settings("@odata.context"))
    with pytest.raises(ManifestError) as caught:
        manifests.load([str(tmp_path)])
    (issue,) = caught.value.issues
    assert (issue.line, issue.column) == (7, 14)
