"""The benchmark harness's pure parts: budgets and floors, verdicts, the Markdown table and the
tenant builder. No timing is asserted anywhere: speed lives in `make bench`."""

from __future__ import annotations

import json

from bench import docs, report, targets, tenant, verdicts


def test_request_budget_is_pages_plus_batches_of_three_reads_per_policy():
    assert targets.pages(100) == 2  # the singleton and one list page
    assert targets.plan_request_budget(100) == 2 + 15
    assert targets.plan_request_budget(1_000) == 11 + 150
    assert targets.plan_request_budget(5_000) == 51 + 750
    assert targets.batch_calls(7) == 2  # 21 reads need a second $batch
    assert targets.pages(0) == 2  # an empty collection still answers one page


def test_naive_reader_makes_four_gets_per_policy_plus_pages():
    assert targets.naive_requests(100) == 2 + 400
    assert targets.naive_requests(5_000) == 51 + 20_000


def test_pacing_floor_is_writes_over_the_allowed_rate():
    assert targets.pacing_floor(500, 100, 2.0) == 10.0
    assert targets.ratio(12.0, 10.0) == 1.2
    assert targets.ratio(1.0, 0.0) is None


def test_verdicts_say_how_far_the_worst_size_misses():
    met = targets.at_most("x", [(100, 1.2), (1_000, 1.1)], 1.3, "x")
    assert met.met and met.shortfall == ""
    assert met.measured == "1.20x at 100; 1.10x at 1,000"
    missed = targets.at_most("x", [(100, 2.6), (1_000, 1.1)], 1.3, "x")
    assert not missed.met and missed.shortfall == "2.0x the limit at N = 100"
    slow = targets.at_least("rate", [(100, 6_000), (1_000, 4_000)], 5_000, "/s")
    assert not slow.met and slow.shortfall == "20% short at N = 1,000"


def _run(n: int, plan_wall: float) -> dict:
    routes: dict[str, dict[str, int]] = {"by_route": {}, "batch_items_by_route": {}}
    plan = {
        "wall": plan_wall,
        "cpu": 1.0,
        "rss_mb": 80.0,
        "requests": targets.plan_request_budget(n),
        **routes,
    }
    apply = {
        "wall": 14.0,
        "cpu": 2.0,
        "rss_mb": 90.0,
        "requests": 30,
        "writes": 500,
        "throttled": 0,
        "planned_writes": 500,
        "write_rate": 50.0,
        "write_phase": 10.5,
        "pacing_floor": 10.0,
    }
    phases = {
        "load_cpu": 0.5,
        "read_wall": 1.0,
        "read_cpu": 0.5,
        "plan_cpu": n / 10_000,
        "changes": 0,
    }
    return {
        "n": n,
        "pages": targets.pages(n),
        "budget": targets.plan_request_budget(n),
        "export": {**plan, "wall": 3.0},
        "naive": {"wall": 10.0, "requests": targets.naive_requests(n)},
        "floor": {"wall": 1.0, "requests": targets.plan_request_budget(n)},
        "plan_clean": plan,
        "plan_changed": {**plan, "changes": n // 10, "steps": n // 5},
        "phases_clean": phases,
        "phases_changed": phases,
        "apply": apply,
    }


def _document() -> dict:
    return {
        "python": "3.11",
        "machine": "x86_64",
        "startup_seconds": 0.5,
        "total_seconds": 42.0,
        "runs": [_run(100, 1.2), _run(1_000, 2.0)],
    }


def test_results_have_a_row_per_size_and_every_target():
    document = _document()
    text = report.markdown(document)
    assert "| 1,000 | 2.00 s |" in text
    assert "161 / 161" in text  # plan requests against the budget
    found = {v.target: v for v in verdicts.verdicts(document["runs"])}
    assert len(found) == 7
    assert found[verdicts.PLAN_REQUESTS].met
    assert not found[verdicts.PLAN_VS_FLOOR].met  # 2.0 s against a 1.0 s floor
    assert found[verdicts.RATE_CLEAN].met  # 10,000 policies/s
    assert text.count("**no**") == sum(not v.met for v in found.values())


def test_the_page_section_links_the_plot_and_explains_each_miss():
    text = docs.markdown(_document())
    assert "](../bench/results/bench.png)" in text  # relative to docs/
    assert "**Plan wall time against the floor.**" in text  # missed, so explained
    assert "**Peak RSS" not in text  # met, so not


def test_benchmarks_page_and_results_md_show_the_committed_results():
    # docs/benchmarks.md's numbers come from `make bench`: results.json, rendered.
    results = docs.PAGE.parents[1] / "bench" / "results"
    document = json.loads((results / "results.json").read_text(encoding="utf-8"))
    assert docs.page_section(docs.PAGE.read_text(encoding="utf-8")) == docs.markdown(document)
    assert (results / "results.md").read_text(encoding="utf-8") == report.markdown(document)


def test_write_page_replaces_only_the_generated_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{docs.BEGIN}\nold numbers\n{docs.END}\n\n## Next\n")
    docs.write_page(_document(), readme)
    text = readme.read_text()
    assert text.startswith(f"# Title\n\n{docs.BEGIN}\n## Performance at tenant scale")
    assert text.endswith(f"{docs.END}\n\n## Next\n") and "old numbers" not in text


def test_tenant_policies_carry_two_2kb_payloads_and_two_assignments():
    seed = tenant.tenant(3)
    policy = seed["clientConfigurations"][1]
    assert 1_800 <= len(tenant.payload_bytes(1, "policy")) <= 2_500
    assert len(policy["assignments"]) == 2
    assert policy["id"] == tenant.policy_id(1)  # stable across runs


def test_drifted_copy_changes_four_writable_things_and_leaves_the_seed_alone():
    seed = tenant.tenant(2)
    before = json.dumps(seed, sort_keys=True)
    drifted = tenant.drifted(seed, [1])
    assert json.dumps(seed, sort_keys=True) == before
    old, new = seed["clientConfigurations"][1], drifted["clientConfigurations"][1]
    changed = [
        k for k in ("description", "policyPayload", "userPreferencePayload") if old[k] != new[k]
    ]
    assert len(changed) == 3
    assert old["assignments"] != new["assignments"]
    assert drifted["clientConfigurations"][0] == seed["clientConfigurations"][0]


def test_changed_policies_are_spread_evenly_and_distinct():
    from bench.scenario import _changed_indexes

    assert _changed_indexes(100, 10) == list(range(0, 100, 10))
    assert _changed_indexes(100, 100) == list(range(100))


def test_startup_table_says_which_target_is_missed_and_what_was_imported():
    from bench import startup

    document = {
        "repeats": 3,
        "runner": "reconciler",
        "commands": [
            {"command": "reconciler --version", "seconds": 0.12, "limit_seconds": 0.2,
             "met": True, "http_stack_imported": []},
            {"command": "reconciler validate manifests", "seconds": 0.61, "limit_seconds": 0.5,
             "met": False, "http_stack_imported": ["requests", "urllib3"]},
        ],
    }  # fmt: skip
    table = startup.markdown(document)
    assert "| `reconciler --version` | 0.120 s | < 0.2 s | yes | none |" in table
    assert "| 0.610 s | < 0.5 s | **no** | requests, urllib3 |" in table


def test_fleet_extrapolation_is_bounded_by_concurrency_and_by_the_fleet_budget():
    from bench.fleet import extrapolate

    # 1,000 tenants on 10 shards, 16 at a time: 100 a shard, 7 rounds of 2 s.
    paced = extrapolate(seconds_per_tenant=2.0, requests_per_tenant=10, concurrency=16)
    assert (paced.by_concurrency_s, paced.requests) == (14.0, 10_000)
    assert paced.by_budget_s == round(10_000 / 1400, 1) and paced.estimate_s == 14.0
    # Many requests per tenant: the budget (1,400/s) sets the pace, never more than that.
    heavy = extrapolate(seconds_per_tenant=2.0, requests_per_tenant=200, concurrency=16)
    assert heavy.estimate_s == heavy.by_budget_s == round(200_000 / 1400, 1)
    assert heavy.peak_rate <= 1400
