"""Mutation testing of the core packages with mutmut, and the report of what survived.

    python -m tools.mutate [--packages engine,apply,planfile,fetch] [--only-survivors]
                           [--source DIR] [--results FILE] [--report FILE]

For each package, a scratch copy of the tree is made under `.mutation/<package>/` (the
working tree is never touched), mutmut mutates every function of `reconciler/<package>/`
there and runs, for each mutant, the tests of that package's suite (`SUITES`) that call the
mutated function, fastest first, stopping at the first failure. Results go to
`.mutation/<package>.json` (raw, not in git); the report (`docs/mutation/report.md`) is
written from the results of every package run so far and from `docs/mutation/notes.toml`,
which says why each mutant that survives is equivalent (or which test kills it).

`--only-survivors` runs again only the mutants that survived the last run of the package
and no note shows equivalent (quick, after adding tests); the report of record comes from a
full run.
`--source DIR` mutates another checkout (the baseline of an earlier commit) and writes only
`--results`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutation"
NOTES = ROOT / "docs" / "mutation" / "notes.toml"
REPORT = ROOT / "docs" / "mutation" / "report.md"


@dataclass(frozen=True)
class Package:
    """What one package mutates (globs) and the fastest test subset that exercises it (paths
    missing in a tree are skipped)."""

    mutate: tuple[str, ...]
    suite: tuple[str, ...]
    skip: tuple[str, ...] = ()


PACKAGE_TABLE: dict[str, Package] = {
    "engine": Package(
        ("reconciler/engine/*",),
        # the Settings Catalog's and Administrative Templates' pure tests hold the catalog
        # checks and the delta writes, with --replace's the create-only fields; --target's
        # tests run the CLI in-process against the emulator
        (
            "tests/core",
            "tests/drift/test_drift_pure.py",
            "tests/apply",
            "tests/settings_catalog/test_settings_pure.py",
            "tests/settings_catalog/test_replace.py",
            "tests/settings_catalog/test_pinned_and_secret_refusals.py",
            "tests/admin_templates/test_admin_templates_pure.py",
            "tests/cli/test_target.py",
        ),
    ),
    "apply": Package(
        ("reconciler/apply/*",),
        # the lock, identity and re-check tests run the CLI in-process; the concurrent and
        # signal tests fork processes, whose calls mutmut cannot see, and take a minute each
        (
            "tests/apply",
            "tests/e2e",
            "tests/core/test_planfile.py",
            "tests/safety/test_lock.py",
            "tests/safety/test_identity.py",
            "tests/safety/test_rechecks.py",
        ),
    ),
    "planfile": Package(
        ("reconciler/planfile/*",),
        ("tests/core", "tests/e2e", "tests/reliability/test_hostile.py"),
    ),
    # The HTTP client, $batch, pacing, error translation, the tenant reader (the end-to-end
    # tests of the kinds with child items read their nested reads and catalogs), the group
    # lookup (tests/graph) and the read cache with incremental reads; credentials
    # (fetch/auth/) are the `auth` package, run on request (PACKAGES=auth).
    "fetch": Package(
        ("reconciler/fetch/*",),
        (
            "tests/graph",
            "tests/apply",
            "tests/e2e",
            "tests/settings_catalog/test_settings_catalog_e2e.py",
            "tests/settings_catalog/test_incremental.py",
            "tests/admin_templates/test_admin_templates_e2e.py",
        ),
        skip=("reconciler/fetch/auth/*",),
    ),
    "auth": Package(("reconciler/fetch/auth/*",), ("tests/auth",)),
}
SUITES = {name: package.suite for name, package in PACKAGE_TABLE.items()}
PACKAGES = ("engine", "apply", "planfile", "fetch")  # the core, run by default
COPIED = ("reconciler", "tests", "manifests", "examples", "pyproject.toml")
# Tried before the mutants: each of these lines only words a message or logs; a mutant of
# its text changes no decision (see the report's "What is mutated").
SKIPPED_LINES = (r"^\s*log\.(debug|info|warning)\(",)
# Survivors killed by a rerun get the test that kills them looked up (one pytest run each)
# when there are at most this many; beyond, the report says they were not looked up.
MAX_KILLERS = 40
NOT_LOOKED_UP = "(a test added since; not looked up)"

_COLLECT = """
import json, sys
from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files
out = []
for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in data.exit_code_by_key.items():
        status = status_by_exit_code[code]
        diff = "" if status == "killed" else get_diff_for_mutant(name, path=path)
        out.append({"name": name, "status": status, "path": str(path), "diff": diff})
json.dump(out, sys.stdout)
"""


def _mutmut() -> str:
    found = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or shutil.which("mutmut")
    if not found:
        raise SystemExit("mutmut is not installed: run make mutate (it installs it)")
    return found


def _workspace(package: str, source: Path, fresh: bool, work: Path) -> Path:
    if fresh and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src = source / name
        if not src.exists():
            continue
        dst = work / name
        if dst.exists() and dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dst)
    suite = [p for p in SUITES[package] if (source / p).exists()]
    config = {
        "source_paths": ["reconciler"],
        "only_mutate": list(PACKAGE_TABLE[package].mutate),
        "do_not_mutate": list(PACKAGE_TABLE[package].skip),
        "also_copy": [n for n in COPIED if n not in ("reconciler", "tests")],
        "pytest_add_cli_args_test_selection": suite,
        "pytest_add_cli_args": ["-p", "no:cacheprovider"],
        "do_not_mutate_patterns": list(SKIPPED_LINES),
    }
    lines = ["", "[tool.mutmut]"] + [
        f"{key} = {json.dumps(value)}" for key, value in config.items()
    ]
    with (work / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return work


def run_package(
    package: str, source: Path, *, only_survivors: bool, results: Path, work: Path
) -> dict:
    previous = _load(results) if only_survivors and results.exists() else None
    work = _workspace(package, source, fresh=previous is None, work=work)
    names: list[str] = []
    if previous is not None:
        # a survivor a note shows equivalent cannot be killed: running it again only costs time
        equivalent = [n for n in load_notes() if n.fate == "equivalent"]
        names = [
            m["name"]
            for m in previous["mutants"]
            if m["status"] not in ("killed", "timeout") and not any(n.covers(m) for n in equivalent)
        ]
        # mutmut keeps its verdicts in mutants/; naming mutants makes it run them again, and
        # with none named it runs only the mutants without a verdict (a source file changed
        # since: its mutants are made anew), so nothing changed costs one clean test run
    commit, today = _head(source), datetime.now(UTC).date().isoformat()
    started = time.monotonic()
    work.with_suffix(".log").write_text("", encoding="utf-8")
    _mutmut_run(work, names)
    seconds = time.monotonic() - started
    mutants = _collect(work, package)
    # A source file changed since the full run is mutated again, and mutmut forgets the
    # verdicts of its mutants: the ones not named above are run now.
    unchecked = [m["name"] for m in mutants if m["status"] == "not checked"]
    if previous is not None and unchecked:
        _mutmut_run(work, unchecked)
        mutants = _collect(work, package)
    if previous is not None:  # name the test that kills each survivor the new tests caught
        before = {m["name"]: m for m in previous["mutants"]}
        caught = [
            m
            for m in mutants
            if m["status"] in ("killed", "timeout")
            and before.get(m["name"], {}).get("status") not in (None, "killed", "timeout")
        ]
        look_up = len(caught) <= MAX_KILLERS  # one pytest run each: slow for hundreds
        for mutant in mutants:
            earlier = before.get(mutant["name"], {})
            if mutant["status"] in ("killed", "timeout") and earlier.get("status") not in (
                None,
                "killed",
                "timeout",
            ):
                mutant["diff"] = earlier.get("diff", "")
                mutant["killed_by"] = earlier.get("killed_by") or (
                    _killer(work, mutant["name"]) if look_up else NOT_LOOKED_UP
                )
            elif earlier.get("killed_by"):
                mutant.update(diff=earlier.get("diff", ""), killed_by=earlier["killed_by"])
    result = {
        "package": package,
        "suite": [p for p in SUITES[package] if (source / p).exists()],
        "seconds": round(seconds if previous is None else previous["seconds"]),
        # the tree of the full run; a survivors-only run adds the tree it ran the tests of
        "commit": previous["commit"] if previous else commit,
        "date": previous["date"] if previous else today,
        "survivors_rerun": {"commit": commit, "date": today} if previous else None,
        "mutants": mutants,
    }
    results.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def _mutmut_run(work: Path, names: list[str]) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [_mutmut(), "run", "--max-children", str(os.cpu_count() or 2), *names]
    with work.with_suffix(".log").open("a", encoding="utf-8") as log:
        subprocess.run(
            command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )


def _collect(work: Path, package: str) -> list[dict[str, Any]]:
    collected = subprocess.run(
        [sys.executable, "-c", _COLLECT], cwd=work, capture_output=True, text=True, check=True
    )
    mutants: list[dict[str, Any]] = json.loads(collected.stdout)
    if not mutants:
        raise SystemExit(f"mutmut produced no results for {package}; see {work}.log")
    return mutants


def _killer(work: Path, name: str) -> str:
    """The first test (fastest first) that fails with mutant `name` active, from the tests
    mutmut found calling its function."""
    stats = json.loads((work / "mutants" / "mutmut-stats.json").read_text(encoding="utf-8"))
    mangled = re.sub(r"__mutmut_\d+$", "", name)
    durations = stats.get("duration_by_test", {})
    tests = sorted(
        stats["tests_by_mangled_function_name"].get(mangled, []),
        key=lambda t: durations.get(t, 0.0),
    )
    if not tests:
        return "(no test calls it)"
    env = {**os.environ, "MUTANT_UNDER_TEST": name, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=work / "mutants",
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"^FAILED (\S+)", run.stdout, re.MULTILINE)
    return found.group(1) if found else "(killed, test not identified)"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _head(tree: Path) -> str:
    """The short commit of `tree`, marked when the working tree differs from it outside
    docs/mutation/ (the report a run rewrites is no change to what was tested)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short=7", "HEAD"], cwd=tree, capture_output=True, text=True
    ).stdout.strip()
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--", ".", ":(exclude)docs/mutation"],
        cwd=tree,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (head + ("-dirty" if changed else "")) if head else "unknown"


def _load(path: Path) -> dict:
    return dict(json.loads(path.read_text(encoding="utf-8")))


# -- notes and the report ---------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """Why the mutants of `function` whose changed line matches `match` survive."""

    function: str  # e.g. "engine.diff._walk_pointers"
    match: str  # a regular expression searched in the mutated (+) line
    why: str
    fate: str  # "equivalent", or "killed" (by the test the note names) when it is no more

    def covers(self, mutant: dict) -> bool:
        return _function_of(mutant["name"]) == self.function and any(
            re.search(self.match, line) for line in _changed(mutant["diff"])
        )


def load_notes(path: Path = NOTES) -> list[Note]:
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Note(n["function"], n["match"], n["why"], n.get("fate", "equivalent"))
        for n in data.get("note", [])
    ]


def _function_of(name: str) -> str:
    """reconciler.engine.diff.x__walk_pointers__mutmut_3 -> engine.diff._walk_pointers;
    methods (xǁClassǁname) -> engine.x.Class.name."""
    base = re.sub(r"__mutmut_\d+$", "", name).removeprefix("reconciler.")
    module, _, func = base.rpartition(".")
    if func.startswith("xǁ"):
        return module + "." + ".".join(func[2:].split("ǁ"))
    return module + "." + func.removeprefix("x_")


def _changed(diff: str) -> list[str]:
    lines = diff.splitlines()
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    if added:
        return added
    return [
        "(deleted) " + line[1:]
        for line in lines
        if line.startswith("-") and not line.startswith("---")
    ]


def _shown(diff: str) -> str:
    lines = diff.splitlines()
    body = [line for line in lines if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return "<br>".join(
        "`" + line.strip().replace("`", "'").replace("|", "\\|") + "`" for line in body
    )


def summarise(result: dict, notes: list[Note]) -> dict[str, Any]:
    counts = dict.fromkeys(("killed", "timeout", "equivalent", "survived", "no tests"), 0)
    survivors = []
    for mutant in result["mutants"]:
        status = mutant["status"]
        if status in ("killed", "timeout"):
            counts[status] += 1
            continue
        note = next((n for n in notes if n.covers(mutant)), None)
        if note is not None and note.fate == "equivalent":
            counts["equivalent"] += 1
        else:
            counts["survived" if status == "survived" else "no tests"] += 1
        survivors.append((mutant, note))
    total = len(result["mutants"])
    detected = counts["killed"] + counts["timeout"]
    scored = total - counts["equivalent"]
    score = 100.0 * detected / scored if scored else 100.0
    return {"counts": counts, "total": total, "score": score, "survivors": survivors}


def write_report(
    results: dict[str, dict], notes: list[Note], path: Path, *, command: str, baseline: dict | None
) -> None:
    runs = sorted({(r.get("date", "?"), r.get("commit", "?")) for r in results.values()})
    reruns = sorted(
        {
            (r["survivors_rerun"]["date"], r["survivors_rerun"]["commit"])
            for r in results.values()
            if r.get("survivors_rerun")
        }
    )
    lines = [
        "# Mutation testing report",
        "",
        "- Run: "
        + "; ".join(f"{date}, commit `{commit}`" for date, commit in runs)
        + " (the tree that was mutated)",
        *(
            [
                "- Survivors run again: "
                + "; ".join(f"{d}, commit `{c}`" for d, c in reruns)
                + " (`SURVIVORS=1`, tests added since)"
            ]
            if reruns
            else []
        ),
        "- Commands: "
        + "; ".join(
            f"`make mutate PACKAGES={','.join(p for p, r in results.items() if r.get('commit') == c)}` (at `{c}`)"
            for _, c in runs
        )
        + "".join(
            f"; `make mutate PACKAGES={','.join(p for p, r in results.items() if (r.get('survivors_rerun') or {}).get('commit') == c)} SURVIVORS=1` (at `{c}`)"
            for _, c in reruns
        ),
        f"- Tool: mutmut {_version('mutmut')}",
        "",
        "Score = (killed + timed out) / (mutants - equivalent). A mutant that survives is",
        "listed with its note from `docs/mutation/notes.toml`: why it is equivalent, or, when",
        "no note covers it, as work to do. Raw results stay in `.mutation/` (not in git).",
        "",
        "| package | full run (commit, date) | survivors run again | suite (tests run for each mutant: those that call its function) | mutants | killed | timeout | equivalent | survived | no tests | score | time of the full run |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    summaries = {p: summarise(r, notes) for p, r in results.items()}
    for package, result in results.items():
        s = summaries[package]
        c = s["counts"]
        lines.append(
            f"| {package} | `{result.get('commit', '?')}`, {result.get('date', '?')} | "
            + (
                f"`{result['survivors_rerun']['commit']}`, {result['survivors_rerun']['date']}"
                if result.get("survivors_rerun")
                else "no"
            )
            + f" | {', '.join(result['suite'])} | {s['total']} | {c['killed']} | "
            f"{c['timeout']} | {c['equivalent']} | {c['survived']} | {c['no tests']} | "
            f"{s['score']:.1f}% | {result['seconds'] // 60} min {result['seconds'] % 60} s |"
        )
    if baseline:
        lines += [
            "",
            f"Before this work ({baseline['commit']}, same tool and suites, no notes), mutants "
            "killed: "
            + "; ".join(
                f"{p} {b['detected']}/{b['total']} ({100.0 * b['detected'] / b['total']:.1f}%)"
                for p, b in baseline["packages"].items()
            )
            + "".join(f"; {p} not measured then" for p in results if p not in baseline["packages"])
            + ".",
        ]
    lines += [
        "",
        "## What is mutated",
        "",
        "Every function and method of `reconciler/<package>/` with mutmut's operators",
        "(comparisons, boolean operators, numbers, strings, arguments replaced by None or",
        "removed, assignments, return values, statements). Not mutated: module-level",
        "constants, docstrings, and lines matching "
        + ", ".join(f"`{p}`" for p in SKIPPED_LINES)
        + " (logging).",
    ]
    for package, result in results.items():
        caught = [m for m in result["mutants"] if m.get("killed_by")]
        if caught:
            lines += [
                "",
                f"## {package}: survivors of the full run killed by tests added since ({len(caught)})",
                "",
                "| mutant | change | killed by |",
                "|---|---|---|",
            ]
            for mutant in caught:
                name = mutant["name"].removeprefix("reconciler.")
                lines.append(f"| `{name}` | {_shown(mutant['diff'])} | `{mutant['killed_by']}` |")
    for package in results:
        survivors = summaries[package]["survivors"]
        lines += ["", f"## {package}: surviving mutants ({len(survivors)})", ""]
        if not survivors:
            lines.append("None.")
            continue
        lines += ["| mutant | change | status | fate |", "|---|---|---|---|"]
        for mutant, note in survivors:
            fate = "**no note: to do**" if note is None else f"{note.fate}: {note.why}"
            name = mutant["name"].removeprefix("reconciler.")
            lines.append(f"| `{name}` | {_shown(mutant['diff'])} | {mutant['status']} | {fate} |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.mutate", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--packages", default=",".join(PACKAGES), help=f"from {', '.join(PACKAGE_TABLE)}"
    )
    parser.add_argument("--only-survivors", action="store_true")
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--results", type=Path, help="with --source: where the results go")
    parser.add_argument("--label", default="", help="with --source: the commit it holds")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")
    args = parser.parse_args(argv)
    packages = [p.strip() for p in args.packages.split(",") if p.strip()]
    unknown = [p for p in packages if p not in PACKAGE_TABLE]
    if unknown:
        parser.error(
            f"unknown package(s) {', '.join(unknown)}; choose from {', '.join(PACKAGE_TABLE)}"
        )
    WORK.mkdir(exist_ok=True)
    source = args.source.resolve()
    if source != ROOT:  # a baseline: results only
        out: dict[str, Any] = {}
        for package in packages:
            result = run_package(
                package,
                source,
                only_survivors=False,
                results=WORK / f"baseline-{package}.json",
                work=WORK / f"baseline-{package}",
            )
            detected = sum(m["status"] in ("killed", "timeout") for m in result["mutants"])
            out[package] = {"total": len(result["mutants"]), "detected": detected}
        if args.results:
            document = {"commit": args.label, "packages": out}
            args.results.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        return 0
    if not args.report_only:
        for package in packages:
            started = time.monotonic()
            run_package(
                package,
                ROOT,
                only_survivors=args.only_survivors,
                results=WORK / f"{package}.json",
                work=WORK / package,
            )
            print(f"{package}: {time.monotonic() - started:.0f} s", flush=True)
    shown = [*PACKAGES, *(p for p in packages if p not in PACKAGES)]
    results = {p: _load(WORK / f"{p}.json") for p in shown if (WORK / f"{p}.json").exists()}
    baseline_file = ROOT / "docs" / "mutation" / "baseline.json"
    baseline = _load(baseline_file) if baseline_file.exists() else None
    notes = load_notes()
    command = "make mutate" + (f" PACKAGES={args.packages}" if packages != list(PACKAGES) else "")
    write_report(results, notes, args.report, command=command, baseline=baseline)
    for package, result in results.items():
        s = summarise(result, notes)
        print(
            f"{package}: {s['score']:.1f}% of {s['total'] - s['counts']['equivalent']} non-equivalent mutants killed"
        )
    print(
        f"report: {args.report.relative_to(ROOT) if args.report.is_relative_to(ROOT) else args.report}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
