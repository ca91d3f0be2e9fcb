"""Two applies at once, as real processes against one emulator (with latency to widen the
race): the same saved plan twice, with one lock folder (one machine) and with two (two
machines: only the per-round re-checks keep them apart), never leaves a duplicate over 20
staggers; two different plans on one machine never interleave."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from reconciler.emulator import make_policy, make_tenant
from tests.support.cli import cli_run
from tests.support.manifests import policy_doc, write_set
from tests.support.processes import Forked

STAGGERS = 20
STEP = 0.012  # seconds between the two starts, times the stagger number


def _names(emu) -> Counter[str]:
    """How many live policies carry each name: Office policies and Settings Catalog ones."""
    office = [p["displayName"] for p in emu.store.policies()]
    catalog = [p["name"] for p in emu.tenant.surface("settings_catalog").store.policies()]
    return Counter(office + catalog)


def _catalog_policy(name: str, index: int) -> str:
    """A Settings Catalog policy (the example's Excel setting): Intune, unlike the Office
    surface, accepts two policies of one name, so only reconciler keeps them single."""
    example = Path("manifests/settings-catalog.yaml").read_text(encoding="utf-8")
    excel = example.split("\n---\n")[1]
    return excel.replace("name: excel-save-format", f"name: race-{index}").replace(
        "name: Office - Excel file format", f"name: {name}"
    )


def _new_set(root: Path) -> Path:
    return write_set(root, *(_catalog_policy(f"Race {i}", i) for i in range(3)))


def _apply(emu, target: Path, work: Path, name: str, lock_dir: Path) -> Forked:
    argv = [
        "apply", target, "--graph-url", emu.base_url, "--auto-approve", "--write-rate", "0",
        "--state-dir", work / f"state-{name}",
    ]  # fmt: skip
    return Forked(argv, work / f"{name}.log", env={"RECONCILER_LOCK_DIR": str(lock_dir)})


REFUSALS = (
    "Saved plan is stale",  # it started after the other's creates landed
    "another apply holds the lock",  # one machine: the lock
    "the tenant changed during the apply",  # two machines: the re-checks (and compensation)
)


@pytest.mark.parametrize("machines", [1, 2], ids=["one-machine", "two-machines"])
def test_one_plan_applied_twice_at_once_never_leaves_a_duplicate(make_emulator, tmp_path, machines):
    raced = 0
    for stagger in range(STAGGERS):
        work = tmp_path / f"s{stagger}"
        emu = make_emulator(latency_ms=60)
        m = _new_set(work / "m")
        planned = cli_run("plan", m, "--graph-url", emu.base_url, "--out", work / "plan.json")
        assert planned.code == 0, planned.err
        first = _apply(emu, work / "plan.json", work, "a", work / "lock-a").start()
        time.sleep(stagger * STEP)
        second_lock = work / ("lock-b" if machines == 2 else "lock-a")
        second = _apply(emu, work / "plan.json", work, "b", second_lock).start()
        runs = [(first.wait(), first.output), (second.wait(), second.output)]
        names = _names(emu)
        assert max(names.values(), default=0) <= 1, (stagger, names, runs)
        for code, output in runs:
            assert code == 0 or any(r in output for r in REFUSALS), output
            assert "Traceback" not in output
        raced += all(code == 1 for code, _ in runs)
        # Whatever happened, a fresh apply of the manifests converges without a duplicate.
        again = cli_run(
            "apply", m, "--graph-url", emu.base_url, "--auto-approve", "--write-rate", "0",
            "--state-dir", work / "state-c",
        )  # fmt: skip
        assert again.code == 0, again.err
        assert _names(emu) == Counter({f"Race {i}": 1 for i in range(3)})
        emu.stop()
    if machines == 1:
        assert raced == 0  # on one machine the lock lets one of the two through every time


def test_two_plans_on_one_machine_never_interleave(make_emulator, tmp_path):
    for stagger in range(10):
        work = tmp_path / f"s{stagger}"
        seed = make_tenant(
            [
                make_policy(
                    display_name=f"P{i}", priority=i + 1, description="start", security=True
                )
                for i in range(6)
            ]
        )
        emu = make_emulator(seed=seed, latency_ms=15)
        plans = []
        for word in ("one", "two"):
            m = write_set(
                work / word,
                *[policy_doc(f"p{i}", f"P{i}", i + 1, description=word) for i in range(6)],
            )
            plan = work / f"{word}.plan"
            assert cli_run("plan", m, "--graph-url", emu.base_url, "--out", plan).code == 0
            plans.append(plan)
        first = _apply(emu, plans[0], work, "one", work / "lock").start()
        time.sleep(stagger * STEP)
        second = _apply(emu, plans[1], work, "two", work / "lock").start()
        first.wait(), second.wait()
        descriptions = {p["description"] for p in emu.store.policies()}
        assert len(descriptions) == 1, (stagger, descriptions, first.output, second.output)
        emu.stop()
