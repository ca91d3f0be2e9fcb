"""The live profile's pure parts: units, floors, the naive reader's extrapolation, the
verdicts and the generated sections. No timing is asserted: speed lives in `make bench`."""

from __future__ import annotations

import json

from bench import docs, live, live_report, live_tenant


def _run(n: int, plan_wall: float, *, naive: bool = True, apply: bool = False) -> dict:
    units = 1 + n + 20
    run = {
        "n": n,
        "pages": live.pages(n),
        "definitions": 20,
        "export": {"wall": 1.0, "rss_mb": 50.0,
                   "phases": {"load_cpu": 0.1, "read_wall": 0.1, "read_cpu": 0.1,
                              "plan_cpu": n / 10_000, "changes": 0}},
        "plan": {"wall": plan_wall, "cpu": 1.0, "rss_mb": 80.0, "requests": 10,
                 "units": units + 5, "throttled": 5, "writes": 0, "read_units": units + 5},
        "peer": {"wall": 2 * plan_wall, "sent": 2 * n, "throttled": 0, "policies": n,
                 "units": 1 + 2 * n, "requests": 1 + n // 10},
        "drift_full": {"wall": plan_wall, "units": units, "throttled": 0, "drifted": 0},
        "drift_incremental": {"wall": 1.0, "units": 1 + n // 100, "throttled": 0,
                              "drifted": n // 100, "changed": n // 100},
    }  # fmt: skip
    if naive:
        run["naive"] = {"wall": 0.06 * (1 + 2 * n), "units": 1 + 2 * n}
    if apply:
        run["apply"] = {"wall": 25.0, "rss_mb": 60.0, "planned_writes": 100, "writes": 100,
                        "throttled": 0, "write_rate": 5.0, "write_phase": 19.0,
                        "write_floor": 20.0}  # fmt: skip
    return run


def _document() -> dict:
    return {
        "profile": "live",
        "python": "3.11",
        "machine": "x86_64",
        "startup_seconds": 0.5,
        "total_seconds": 600.0,
        "runs": [
            _run(100, 4.0, apply=True),
            _run(1_000, 21.5),
            _run(5_000, 120.0, naive=False),
        ],
    }


def test_units_budget_and_floor_follow_the_documented_bucket():
    run = _run(1_000, 21.5)
    assert live.pages(1_000) == 10 and live.pages(0) == 1
    assert live_report.budget(run) == 10 + 1_000 + 20  # list pages + N + D
    assert live_report.admitted(run["plan"]) == run["plan"]["units"] - 5
    assert live_report.floor(run) == 1_030 / 50  # 1,000 units per 20 s
    stats = {"total": 12, "by_route": {"POST /$batch": 10}, "batch_items": 200}
    assert live.units_of(stats) == 2 + 200  # envelopes are not units, their items are


def test_the_naive_reader_is_extrapolated_from_its_largest_measured_run():
    runs = _document()["runs"]
    wall, units, guessed = live_report.naive(runs, runs[2])
    assert guessed and units == 50 + 10_000
    assert abs(wall - 0.06 * units) < 1e-6  # the 1,000 run's time per unit
    assert live_report.naive(runs, runs[1])[2] is False


def test_verdicts_say_which_target_is_missed_and_by_how_much():
    found = {v.target: v for v in live_report.verdicts(_document()["runs"])}
    assert found[live_report.PLAN_UNITS].met
    floor = found[live_report.PLAN_VS_FLOOR]  # 120 s against 101.4 s at 5,000
    assert not floor.met and "at N = 5,000" in floor.shortfall
    assert "at 100" not in floor.measured  # the floor target is for N >= 1,000
    assert found[live_report.INCREMENTAL].met
    assert found[live_report.APPLY_PACE].met and found[live_report.APPLY_429].met
    assert found[live_report.PLAN_VS_PEER].met  # half the peer's time
    text = live_report.markdown(_document())
    assert "(extrapolated)" in text and text.count("**no**") == sum(
        not v.met for v in found.values()
    )


def test_the_tenant_has_twenty_settings_and_stable_ids():
    seed = live_tenant.tenant(3)
    policy = seed["configurationPolicies"][1]
    assert len(policy["settings"]) == 20 and len(policy["assignments"]) == 2
    assert policy["id"] == live_tenant.policy_id(1)
    edited = live_tenant.edit(1)["settings"]
    assert [s["settingInstance"] for s in edited] != [
        s["settingInstance"] for s in policy["settings"]
    ]
    assert live.spread(100, 1) == [0] and live.spread(1_000, 10) == list(range(0, 1_000, 100))


def test_the_docs_and_the_readme_show_the_committed_live_results():
    document = json.loads(
        (docs.PAGE.parents[1] / "bench" / "results" / "live" / "results.json").read_text()
    )
    page = docs.PAGE.read_text(encoding="utf-8")
    assert docs.section(page, docs.LIVE_BEGIN, docs.LIVE_END) == docs.live_page_section(document)
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.section(readme, docs.LIVE_BEGIN, docs.LIVE_END) == live_report.summary(document)


def test_write_live_replaces_only_the_generated_sections(tmp_path):
    page, readme = tmp_path / "b.md", tmp_path / "R.md"
    for path in (page, readme):
        path.write_text(f"# T\n\n{docs.LIVE_BEGIN}\nOLD-NUMBERS\n{docs.LIVE_END}\n\n## Next\n")
    docs.write_live(_document(), page, readme)
    assert "OLD-NUMBERS" not in page.read_text() and page.read_text().endswith(
        f"{docs.LIVE_END}\n\n## Next\n"
    )
    assert "| 5,000 |" in readme.read_text()
