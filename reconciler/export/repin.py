"""`export --update-ids`: re-pin a manifest set to a tenant by editing `metadata.id` in
place, as text, so comments, quoting and layout stay exactly as the admin wrote them.

Pure: the caller matched each manifest to its live object and knows where its values are
(the loader's positions); this module edits the text. An existing id is replaced where it
stands; a missing one is added on the line after `name:`, at its indentation. Metadata in
flow style (`metadata: {name: a}`) is not edited: the caller reports it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Repin:
    address: str
    new_id: str
    old_id: str | None
    id_at: tuple[int, int] | None  # 1-based line and column of the id's value
    name_at: tuple[int, int]  # of metadata.name's value


class NotEditable(ValueError):
    """The manifest's metadata is not written in a form this edit understands."""


def _replace_id(lines: list[str], repin: Repin) -> None:
    assert repin.id_at is not None and repin.old_id is not None
    line, column = repin.id_at
    text = lines[line - 1]
    start = column - 1
    for token in (repin.old_id, f'"{repin.old_id}"', f"'{repin.old_id}'"):
        if text.startswith(token, start):
            lines[line - 1] = text[:start] + repin.new_id + text[start + len(token) :]
            return
    raise NotEditable(f"{repin.address}: metadata.id is not where the manifest said")


def _insert_id(lines: list[str], repin: Repin) -> int:
    line, _ = repin.name_at
    text = lines[line - 1]
    stripped = text.lstrip()
    if not stripped.startswith("name:"):
        raise NotEditable(f"{repin.address}: metadata is in flow style; add metadata.id by hand")
    indent = text[: len(text) - len(stripped)]
    ending = "\n" if text.endswith("\n") else ""
    lines.insert(line, f"{indent}id: {repin.new_id}{ending or chr(10)}")
    return line


def apply(text: str, repins: list[Repin]) -> str:
    """`text` with every repin made (later lines first, so earlier positions stay true)."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for repin in sorted(repins, key=lambda r: r.id_at or r.name_at, reverse=True):
        if repin.id_at is not None:
            _replace_id(lines, repin)
        else:
            _insert_id(lines, repin)
    result = "".join(lines)
    return result if text.endswith("\n") else result[:-1]
