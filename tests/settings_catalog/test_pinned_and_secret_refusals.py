"""Plan-time refusals of a loaded Settings Catalog manifest, each whole (message and hint)
and located at the line that caused it: a pinned id that is a template policy (never
touched) or of another kind; a create or an update that would send a
secret setting's value back to Graph. (Two manifests pinning one id are refused when
loaded: tests/core/test_engine_edges.py pins the planner's own check.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.engine.planner import make_plan
from reconciler.errors import PlanError
from reconciler.load import manifests
from reconciler.values.live import ForeignObject, Live, LiveObject
from tests.support.tenant import SECURITY

from .samples import SECRET, simple
from .test_settings_pure import KIND, NOW, PATH, SETTINGS, live_policy, manifest, tenant

ID_A = '"id-a"'  # as the manifest writes it
WHY = "its templateReference/templateFamily is 'baseline', not 'none'"


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files are shown relative to where the command ran


def write(tmp_path: Path, *documents: dict[str, Any]):
    root = tmp_path / "m"
    root.mkdir(exist_ok=True)
    text = "\n---\n".join(json.dumps(d, indent=1) for d in documents)
    (root / "p.yaml").write_text(text, encoding="utf-8")
    return manifests.load(["m"]), text


def pinned(address_name: str, policy_id: str, **spec: Any) -> dict[str, Any]:
    document = json.loads(manifest(**spec))
    document["metadata"] = {"name": address_name, "id": policy_id}
    return document


def line_of(text: str, needle: str, occurrence: int = 0) -> int:
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


def with_foreign(*objects: LiveObject, foreign_id: str) -> Live:
    template = ForeignObject(id=foreign_id, collection=PATH, why=WHY)
    return Live(graph_url="http://127.0.0.1:1/beta", objects=objects, foreign=(template,))


def test_a_pinned_template_policy_is_refused_at_its_id_whatever_the_case(tmp_path):
    desired, text = write(tmp_path, pinned("macros", "ab-12"))
    with pytest.raises(PlanError) as raised:
        make_plan(desired, with_foreign(foreign_id="AB-12"), now=NOW)
    line = line_of(text, '"ab-12"')
    assert str(raised.value) == (
        f"m/p.yaml:{line}:9: {KIND}/macros: metadata.id ab-12 is not a {KIND}: {WHY}; "
        "reconciler never touches it"
    )
    assert raised.value.hint == "Pin a policy of this kind, or leave metadata.id out to create one."
    # a template policy of another id is no concern of this manifest
    plan = make_plan(desired, with_foreign(live_policy(id="ab-12"), foreign_id="ab-13"), now=NOW)
    assert plan.changes == ()


def test_a_pinned_id_of_another_kind_is_refused_at_its_id(tmp_path):
    desired, text = write(tmp_path, pinned("macros", "id-a"))
    other = LiveObject(kind=SECURITY, id="id-a", body={"id": "id-a", "displayName": "A"})
    with pytest.raises(PlanError) as raised:
        make_plan(desired, tenant(other), now=NOW)
    assert str(raised.value) == (
        f"m/p.yaml:{line_of(text, ID_A)}:9: {KIND}/macros: metadata.id id-a is a "
        f"{SECURITY}, not a {KIND}; Graph cannot change a policy's type"
    )
    assert raised.value.hint == "Delete and recreate it, or fix the manifest's kind."


SECRET_SETTING = simple("device_secret", "plain", SECRET)
SECRET_MESSAGE = (
    f"{KIND}/macros: the write would send the secret value of device_secret back to Graph; "
    "writing secret settings is not supported in this release"
)
SECRET_HINT = (
    "Set the secret in the portal, and leave it out of the manifest (its presence is still "
    "checked by drift)."
)


@pytest.mark.parametrize("live", [(), (live_policy(),)], ids=["create", "update"])
def test_a_write_that_would_send_a_secret_is_refused(tmp_path, live):
    document = json.loads(manifest([SETTINGS[0], SECRET_SETTING]))
    desired, _ = write(tmp_path, document)
    with pytest.raises(PlanError) as raised:
        make_plan(desired, tenant(*live), now=NOW)
    assert (str(raised.value), raised.value.hint) == (SECRET_MESSAGE, SECRET_HINT)
