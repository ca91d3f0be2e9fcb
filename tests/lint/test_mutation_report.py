"""tools/mutate.py's report: mutant names become the functions notes name, a note covers the
mutants whose changed line it matches (deleted statements included), and the score leaves
out only the mutants a note shows equivalent."""

from __future__ import annotations

from pathlib import Path

from tools import mutate

DIFF = """--- reconciler/engine/diff.py
+++ reconciler/engine/diff.py
@@ -1,3 +1,3 @@
 def f():
-    x = 1
+    x = 2
"""
DELETED = """--- a
+++ a
@@ -1,3 +1,2 @@
     case _:
-        assert_never(facet)
"""


def mutant(name: str, status: str, diff: str = DIFF) -> dict[str, str]:
    return {"name": name, "status": status, "diff": diff, "path": "p"}


def test_mutant_names_become_function_names():
    assert (
        mutate._function_of("reconciler.engine.diff.x__walk_pointers__mutmut_3")
        == "engine.diff._walk_pointers"
    )
    assert (
        mutate._function_of("reconciler.engine.diff.x_compare__mutmut_12") == "engine.diff.compare"
    )
    assert (
        mutate._function_of("reconciler.apply.executor.xǁStepRunnerǁ_create__mutmut_2")
        == "apply.executor.StepRunner._create"
    )


def test_a_note_covers_the_mutants_of_its_function_whose_changed_line_matches():
    note = mutate.Note("engine.diff.f", r"x = 2", "why", "equivalent")
    assert note.covers(mutant("reconciler.engine.diff.x_f__mutmut_1", "survived"))
    assert not note.covers(mutant("reconciler.engine.diff.x_g__mutmut_1", "survived"))
    assert not mutate.Note("engine.diff.f", r"x = 1", "why", "equivalent").covers(
        mutant("reconciler.engine.diff.x_f__mutmut_1", "survived")
    )
    deleted = mutate.Note("engine.diff.f", "assert_never", "why", "equivalent")
    assert deleted.covers(mutant("reconciler.engine.diff.x_f__mutmut_2", "survived", DELETED))


def test_the_score_leaves_out_only_equivalent_mutants():
    result = {
        "mutants": [
            mutant("reconciler.engine.diff.x_f__mutmut_1", "survived"),
            mutant("reconciler.engine.diff.x_g__mutmut_1", "survived"),
            mutant("reconciler.engine.diff.x_g__mutmut_2", "no tests"),
            mutant("reconciler.engine.diff.x_g__mutmut_3", "killed"),
            mutant("reconciler.engine.diff.x_g__mutmut_4", "timeout"),
        ]
    }
    summary = mutate.summarise(result, [mutate.Note("engine.diff.f", "x = 2", "why", "equivalent")])
    assert summary["counts"] == {
        "killed": 1,
        "timeout": 1,
        "equivalent": 1,
        "survived": 1,
        "no tests": 1,
    }
    assert summary["score"] == 50.0  # 2 detected of 4 that are not equivalent
    assert len(summary["survivors"]) == 3


def test_the_notes_in_the_repository_parse_and_name_real_functions():
    notes = mutate.load_notes()
    assert notes, "docs/mutation/notes.toml has no notes"
    root = Path(mutate.__file__).resolve().parent.parent / "reconciler"
    for note in notes:
        module, _, function = note.function.rpartition(".")
        candidates = [module, module.rpartition(".")[0]]  # a function, or a method of a class
        paths = [root / (m.replace(".", "/") + ".py") for m in candidates]
        paths += [root / m.replace(".", "/") / "__init__.py" for m in candidates]
        sources = [p.read_text(encoding="utf-8") for p in paths if p.exists()]
        assert any(f"def {function}(" in text for text in sources), note.function
        assert note.fate == "equivalent" and note.why


def test_a_report_lists_each_survivor_with_its_note(tmp_path):
    result = {
        "package": "engine",
        "suite": ["tests/core"],
        "seconds": 61,
        "commit": "abc1234",
        "date": "2026-12-01",
        "mutants": [
            mutant("reconciler.engine.diff.x_f__mutmut_1", "survived"),
            mutant("reconciler.engine.diff.x_g__mutmut_1", "killed"),
        ],
    }
    path = tmp_path / "report.md"
    notes = [mutate.Note("engine.diff.f", "x = 2", "a reason", "equivalent")]
    mutate.write_report({"engine": result}, notes, path, command="make mutate", baseline=None)
    text = path.read_text()
    assert "2026-12-01, commit `abc1234`" in text
    assert (
        "| engine | `abc1234`, 2026-12-01 | no | tests/core | 2 | 1 | 0 | 1 | 0 | 0 | 100.0% | 1 min 1 s |"
        in text
    )
    assert "equivalent: a reason" in text
