"""Golden files pin the plan renderings: text, JSON and Markdown, all from one plan value.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/core/test_render_golden.py`
and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reconciler.engine.planner import make_plan
from reconciler.report import plan_formats
from tests.support.tenant import CLIENT, GROUP_A, GROUP_B

from .builders import desired, live, obj, resource

GOLDEN = Path(__file__).parent / "golden"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def sample_plan(*, prune: bool):
    d = desired(
        resource(
            "baseline",
            displayName="Macro baseline",
            priority=2,
            description="Block macros",
            policyPayload={"settings": [{"id": "L_VBAWarningsPolicy", "value": "3"}]},
            assignments=[GROUP_A, GROUP_B],
        ),
        resource(
            "formats",
            CLIENT,
            displayName="Default formats",
            priority=1,
            userPreferencePayload={"fileFormat": "docx"},
        ),
        resource("new", displayName="Add-in hardening " + "x" * 80, priority=3, description=None),
    )
    tenant = live(
        obj(
            "1111aaaa-0000-4000-8000-000000000001",
            displayName="Macro baseline",
            priority=1,
            description="Edited by hand",
            policyPayload={"settings": [{"id": "L_VBAWarningsPolicy", "value": "2"}]},
            assignments=[GROUP_A],
        ),
        obj(
            "2222bbbb-0000-4000-8000-000000000002",
            CLIENT,
            displayName="Default formats",
            priority=2,
            userPreferencePayload={"fileFormat": "docx"},
        ),
        obj("3333cccc-0000-4000-8000-000000000003", displayName="Legacy policy", priority=9),
        reads=4,
    )
    if prune:  # --prune deletes only inside a scope: here, everything of the set's kinds
        d = dataclasses.replace(d, scope=("*/*",))
    return make_plan(d, tenant, now=NOW, prune=prune)


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("prune", [False, True], ids=["unmanaged", "prune"])
def test_text(prune):
    check(
        f"plan-{'prune' if prune else 'unmanaged'}.txt",
        plan_formats.text(plan_formats.plan_json(sample_plan(prune=prune))),
    )


def test_json():
    body = plan_formats.plan_json(sample_plan(prune=False))
    check("plan.json", json.dumps(body, indent=2, sort_keys=True) + "\n")


def test_markdown():
    check("plan.md", plan_formats.markdown(plan_formats.plan_json(sample_plan(prune=False))))


def test_colour_only_when_asked():
    body = plan_formats.plan_json(sample_plan(prune=False))
    assert "\033[" not in plan_formats.text(body)
    assert "\033[32m" in plan_formats.text(body, color=True)


def test_empty_plan_says_so():
    d = desired(resource("a", displayName="A", priority=1))
    body = plan_formats.plan_json(
        make_plan(d, live(obj("id-a", displayName="A", priority=1)), now=NOW)
    )
    assert plan_formats.text(body).endswith("No changes. The tenant matches the manifests.\n")
