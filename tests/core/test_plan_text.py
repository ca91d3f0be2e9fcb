"""What a reviewer reads in a plan's text: names as written (escaped only where two are one
name to reconciler), what a delete destroys, and plan-time errors located in the manifest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reconciler.engine.planner import make_plan
from reconciler.errors import PlanError
from reconciler.report import plan_formats
from tests.support.tenant import CLIENT

from .builders import desired, live, obj, resource

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _text(d, tenant, **options) -> str:
    return plan_formats.text(plan_formats.plan_json(make_plan(d, tenant, now=NOW, **options)))


def test_non_ascii_names_are_shown_as_written():
    text = _text(desired(resource("a", displayName="Café – Stratégie", priority=1)), live())
    assert '+ WindowsOfficeClientSecurityConfiguration "Café – Stratégie" {' in text


def test_names_one_to_reconciler_but_different_as_written_are_escaped():
    nfd = "Cafe\u0301"
    d = desired(
        resource("a", displayName="Caf\u00e9", priority=1),
        resource("b", CLIENT, displayName="Other", priority=2),
    )
    tenant = live(obj("id-b", CLIENT, displayName=nfd, priority=5))  # unmanaged, another kind
    text = _text(d, tenant)
    assert '"Caf\\u00e9"' in text and '"Cafe\\u0301"' in text
    assert "Caf\u00e9 " not in text and nfd not in text


def test_control_and_bidi_characters_never_reach_the_text_raw():
    text = _text(desired(resource("a", displayName="evil\u202eexe.txt", priority=1)), live())
    assert "\u202e" not in text and "\\u202e" in text


def test_a_delete_lists_what_it_destroys():
    old = obj("id-x", displayName="Old", priority=4, description="kept", policyPayload={"k": 1})
    d = desired(resource("a", displayName="A", priority=1), scope=("*/*",))
    text = _text(d, live(old), prune=True)
    block = text.split('"Old" {', 1)[1].split("\n    }", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    assert lines == [
        '- displayName = "Old"',
        '- description = "kept"',
        "- priority = 4",
        "- policyPayload:",  # a document: each value it held, on its own line
        "/k = 1",
    ]


def test_a_priority_clash_names_the_manifest_position():
    d = desired(resource("a", displayName="A", priority=3))
    tenant = live(obj("id-u", displayName="Unmanaged", priority=3))
    with pytest.raises(PlanError) as raised:
        make_plan(d, tenant, now=NOW)
    assert str(raised.value).startswith("a.yaml:6:3: priority 3 would be held by both ")


def test_two_live_objects_of_one_name_name_the_manifest_position():
    d = desired(resource("a", displayName="A", priority=3))
    tenant = live(
        obj("id-1", displayName="A", priority=1), obj("id-2", displayName="A", priority=2)
    )
    with pytest.raises(PlanError) as raised:
        make_plan(d, tenant, now=NOW)
    assert str(raised.value).startswith(
        "a.yaml:1:1: WindowsOfficeClientSecurityConfiguration/a: 2 live"
    )


def test_a_create_shows_every_value_of_its_documents_on_its_own_line():
    payload = {"settings": [{"id": "L_" + "x" * 120, "value": "1"}], "flags": {"a": True}}
    d = desired(resource("n", displayName="N", priority=1, policyPayload=payload))
    text = _text(d, live())
    assert "+ policyPayload:\n" in text
    assert f'/settings/0/id = "L_{"x" * 10}' in text and '/settings/0/value = "1"\n' in text
    assert "/flags/a = true\n" in text
