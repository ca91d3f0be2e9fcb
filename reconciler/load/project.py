"""`reconciler.yaml` at a manifest root: settings of the manifest set itself.

    scope:                            # what this set manages, beyond what it declares
      - "SettingsCatalogPolicy/Office - *"
      - "WindowsOfficeClient*/*"

`scope` holds globs over `Kind/name` (the name after the one normalisation of names, so
the match ignores case and Unicode composition). Live objects of a managed kind that no
manifest claims are reported (and count as drift, and `--prune` may delete them) only
inside the scope; outside it, or with no scope, they are listed once as information.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, ValidationError, field_validator

from reconciler.errors import ManifestIssue
from reconciler.files import FileProblem, decode_utf8, read_bytes
from reconciler.kinds.fields import NonEmpty, StrictModel
from reconciler.load import yaml_events
from reconciler.load.messages import dotted, field_issues

NAMES = ("reconciler.yaml", "reconciler.yml")


def check_glob(glob: str) -> str:
    if "/" not in glob:
        raise ValueError(
            f"'{glob}' is not Kind/name (write e.g. 'SettingsCatalogPolicy/Office - *')"
        )
    return glob


class ProjectFile(StrictModel):
    shape: ClassVar[str] = "a mapping with scope"

    scope: list[NonEmpty] = Field(
        default_factory=list,
        description="globs over Kind/name: the live objects this set manages beyond what it declares",
    )

    @field_validator("scope")
    @classmethod
    def _globs(cls, scope: list[str]) -> list[str]:
        return [check_glob(glob) for glob in scope]


def read_project(path: Path, shown: str, issues: list[ManifestIssue]) -> ProjectFile | None:
    """The project file at `path`, or None (every problem is added to `issues`)."""
    try:
        text = decode_utf8(read_bytes(path))
    except FileProblem as problem:
        issues.append(
            ManifestIssue(shown, problem.line, problem.column, "", f"file {problem.message}")
        )
        return None
    documents, problems = yaml_events.parse(text)
    issues.extend(
        ManifestIssue(shown, p.line, p.column, dotted(p.loc), p.message) for p in problems
    )
    clean = [d for d in documents if d.clean and d.value is not None]
    if problems or not clean:
        return None if problems else ProjectFile()
    if len(clean) > 1:
        issues.append(
            ManifestIssue(
                shown, clean[1].start[0], clean[1].start[1], "", "holds more than one document"
            )
        )
        return None
    document = clean[0]
    try:
        return ProjectFile.model_validate(document.value)
    except ValidationError as error:
        for found in field_issues(error, model=ProjectFile):
            pos = document.values.get(found.loc) or document.keys.get(found.loc) or document.start
            issues.append(ManifestIssue(shown, pos[0], pos[1], dotted(found.path), found.message))
        return None
