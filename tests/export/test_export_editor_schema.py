"""Exported manifests carry what hand-written ones have for editors: the schema file at the
root and the yaml-language-server modeline on each YAML file (`with_editor_schema`, which
the export command writes through). The set still validates, plans nothing, and re-exports
byte for byte; every document validates against the schema the modeline names."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from reconciler.export.manifest_set import SCHEMA_FILE, with_editor_schema, write_files
from reconciler.load import manifest_schema
from tests.export.test_export_e2e import export, seeded, snapshot
from tests.support.cli import run


def exported_with_schema(capsys, emulator, tmp_path: Path) -> Path:
    plain = tmp_path / "plain"
    assert export(capsys, emulator, plain).code == 0
    files = {str(p.relative_to(plain)): p.read_text() for p in plain.rglob("*") if p.is_file()}
    # One manifest one folder down (one without payload files, whose paths are relative).
    loose = next(f for f in sorted(files) if f.endswith(".yaml") and "file:" not in files[f])
    files["nested/extra.yaml"] = files.pop(loose)
    out = tmp_path / "with-schema"
    write_files(out, with_editor_schema(files, manifest_schema.json_schema()))
    return out


def test_every_yaml_file_names_the_schema_beside_the_set(capsys, emulator, tmp_path):
    seeded(capsys, emulator, tmp_path)
    out = exported_with_schema(capsys, emulator, tmp_path)
    schema_text = (out / SCHEMA_FILE).read_text()
    assert schema_text == run(capsys, "schema").out  # what `reconciler schema` prints
    schema = json.loads(schema_text)
    yaml_files = sorted(out.rglob("*.yaml"))
    assert len(yaml_files) == 3
    for path in yaml_files:
        first = path.read_text().splitlines()[0]
        relative = "../" * (len(path.relative_to(out).parts) - 1) + SCHEMA_FILE
        assert first == f"# yaml-language-server: $schema={relative}"
        assert (path.parent / relative).resolve() == (out / SCHEMA_FILE).resolve()
        for document in YAML(typ="safe").load_all(path.read_text()):
            jsonschema.validate(document, schema)
    assert not any(
        "$schema" in p.read_text() for p in out.rglob("*.json") if p != out / SCHEMA_FILE
    )


def test_the_set_still_validates_plans_nothing_and_reexports_identically(
    capsys, emulator, tmp_path
):
    seeded(capsys, emulator, tmp_path)
    out = exported_with_schema(capsys, emulator, tmp_path)
    assert run(capsys, "validate", str(out)).code == 0
    plan = run(capsys, "plan", str(out), "--graph-url", emulator.base_url, "--detailed-exitcode")
    assert plan.code == 0, plan.out + plan.err
    before = snapshot(out)
    again = exported_with_schema(capsys, emulator, tmp_path / "again")
    assert snapshot(again) == before
