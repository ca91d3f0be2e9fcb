"""Aspect: the front page and docs/ hold together after the move: every relative link and
anchor in README.md and docs/*.md leads somewhere, and each reference subject has its page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens."""
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists() or anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert broken == []


def test_each_reference_subject_has_its_page():
    subjects = {
        "install", "manifests", "settings-catalog", "admin-templates", "scope", "cli", "plan", "apply", "drift",
        "export", "credentials", "ci", "emulator", "reliability", "benchmarks", "development",
    }  # fmt: skip
    assert {p.stem for p in PAGES[1:]} == subjects | {"README"}
    front = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(f"(docs/{name}.md)" in front for name in subjects)
    assert len(front.splitlines()) < 200  # a front page, not the reference
