"""Reading files an admin points at, without surprises.

Only regular files are opened (never a device, never a FIFO that would block), sizes are
capped before and while reading, text must be UTF-8, and paths written inside manifests
must stay inside the manifest root. Problems are raised as `FileProblem`, whose message is
a predicate ("does not exist", "is larger than 1 MiB ...") the caller puts a subject in
front of.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reconciler.errors import FileWriteError

MAX_BYTES = 1024 * 1024  # manifests and payloads alike: far above any real policy
MAX_JSON_DEPTH = 64

# Open flags only some systems have, looked up rather than named: Windows has no O_NONBLOCK,
# O_NOCTTY, O_NOFOLLOW or O_CLOEXEC (naming one there is an AttributeError on every read),
# and needs O_BINARY, else its C runtime translates line endings and stops at Ctrl-Z.
# O_NONBLOCK: if a file is swapped for a FIFO after the stat, opening it must not hang.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)
# A temporary file of our own, never an existing one and never through a symlink planted
# under its name; created with mode 0666 so the process's umask decides, as for any file the
# user writes (mkstemp's 0600 made reports and exports unreadable to the team).
_CREATE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# Opening a directory to fsync it works on POSIX only; Windows has neither the flag nor a way
# to fsync a directory (NTFS journals the rename itself).
_DIRECTORY_FLAGS = getattr(os, "O_DIRECTORY", None)


class FileProblem(Exception):
    """A file cannot be used; `line`/`column` (1-based) locate a problem inside it."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _too_large(size: int, limit: int) -> FileProblem:
    return FileProblem(f"is larger than {_human(limit)} ({size} bytes)")


def _human(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB" if size % (1024 * 1024) == 0 else f"{size} bytes"


def _check_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise FileProblem("is a directory")
    if not stat.S_ISREG(mode):
        raise FileProblem("is not a regular file (a device, FIFO or socket)")


def _os_problem(error: OSError) -> FileProblem:
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return FileProblem("does not exist")
    if isinstance(error, PermissionError):
        return FileProblem("cannot be read (permission denied)")
    return FileProblem(f"cannot be read ({error.strerror or error})")


def read_bytes(path: str | Path, *, limit: int = MAX_BYTES) -> bytes:
    """The content of the regular file at `path` (symlinks followed), at most `limit` bytes."""
    try:
        # stat first so that a device or FIFO is never opened at all.
        _check_regular(os.stat(path).st_mode)
        fd = os.open(path, _READ_FLAGS)
    except OSError as error:
        raise _os_problem(error) from error
    try:
        info = os.fstat(fd)
        _check_regular(info.st_mode)
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(65536, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise _os_problem(error) from error
    finally:
        os.close(fd)
    if total > limit:  # the file grew after fstat
        raise _too_large(total, limit)
    return b"".join(chunks)


def decode_utf8(data: bytes) -> str:
    """Text of UTF-8 bytes; a UTF-8 byte order mark is accepted and dropped."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise FileProblem("is UTF-32 encoded; save it as UTF-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("is UTF-16 encoded; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - line_start + 1
        raise FileProblem(
            f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at line {line}, column {column})",
            line=line,
            column=column,
        ) from error


def within(path: str, root: str) -> bool:
    """Whether the resolved `path` is `root` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class RealPaths:
    """`os.path.realpath`, remembering what it resolved: one load reads thousands of payload
    files from a few directories under one root, and walking every path component of every
    file was an eighth of the load time. Keep one instance per load, not longer: a directory
    may become a symlink between runs."""

    def __init__(self) -> None:
        self._resolved: dict[str, str] = {}

    def __call__(self, path: str | Path) -> str:
        lexical = os.path.abspath(path)
        real = self._resolved.get(lexical)
        if real is None:
            if os.path.islink(lexical):
                real = os.path.realpath(lexical)
            else:
                head, tail = os.path.split(lexical)
                real = os.path.join(self(head), tail) if tail else os.path.realpath(lexical)
            self._resolved[lexical] = real
        return real


def resolve_inside(relative: str, *, base: Path, root: Path, realpath: RealPaths) -> str:
    """The real path of `relative` (written relative to directory `base`) inside `root`.

    Rejects absolute paths, `..` escapes and symlinks that lead out of `root`; `base` is
    expected to lie inside `root` already.
    """
    if "\0" in relative:
        raise FileProblem("contains a NUL character")
    if "\\" in relative:
        raise FileProblem("uses '\\'; write paths with '/'")
    if relative.startswith("/") or (len(relative) > 1 and relative[1] == ":"):
        raise FileProblem("must be a relative path (relative to the manifest file)")
    lexical = os.path.abspath(os.path.join(base, relative))
    if not within(lexical, os.path.abspath(root)):
        raise FileProblem(f"is outside the manifest root '{root}'")
    real = realpath(lexical)
    if not within(real, realpath(root)):
        raise FileProblem(f"is a symlink to a file outside the manifest root '{root}'")
    return real  # a str: a Path per payload file cost more than reading it


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)  # in C; the loop below runs only when a key repeats
    if len(out) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise FileProblem(f"is not valid JSON: duplicate key '{key}'")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise FileProblem(f"is not valid JSON: {name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):  # 1e400 parses as infinity, not JSON
        raise FileProblem(f"is not valid JSON: {text[:40]} is too large for a JSON number")
    return value


def _depth(value: Any) -> int:
    deepest, todo = 1, [(value, 1)]
    while todo:  # iterative: the value may be deep
        node, level = todo.pop()
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        if children:  # its children, scalars included, sit one level deeper
            deepest = max(deepest, level + 1)
            # Only containers are queued: queueing every scalar made this check cost more
            # than parsing the payload (two payloads per policy, 10,000 at N = 5,000).
            todo.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _keys(node: Any, levels: int) -> int | None:
    """The number of keys of every object in the container `node` and below, or None when
    a container sits more than `levels` containers below it (the recursion stops there)."""
    if levels < 0:
        return None
    if type(node) is dict:
        count, children = len(node), node.values()
    else:
        count, children = 0, node
    for child in children:
        kind = type(child)
        if kind is dict or kind is list:
            found = _keys(child, levels - 1)
            if found is None:
                return None
            count += found
    return count


def read_json(path: str | Path) -> Any:
    """The parsed JSON document in the regular file `path` (UTF-8, at most MAX_BYTES)."""
    return read_json_text(path)[0]


def _loads(text: str, *, strict_keys: bool) -> Any:
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys if strict_keys else None,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except json.JSONDecodeError as error:
        raise FileProblem(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            line=error.lineno,
            column=error.colno,
        ) from error
    except ValueError as error:  # an integer of more than 4300 digits
        raise FileProblem("is not valid JSON: a number has too many digits") from error
    except RecursionError as error:
        raise FileProblem(f"is nested more than {MAX_JSON_DEPTH} levels deep") from error


def read_json_text(path: str | Path) -> tuple[Any, str]:
    """`read_json`, and the text it parsed (to locate a problem found in the document).

    Duplicate keys are an error. Checking them with a Python call per JSON object doubled
    the parse, so the parse is plain first: if its objects hold as many keys as the text
    has colons, no pair was lost (a colon outside a string separates a key from its value,
    and every pair has one); otherwise (a colon inside a string, or a duplicate) it is
    parsed again, checking every object."""
    text = decode_utf8(read_bytes(path))
    value = _loads(text, strict_keys=False)
    # No container at level MAX_JSON_DEPTH + 1 (the root is level 1): not too deep.
    keys = _keys(value, MAX_JSON_DEPTH - 1) if isinstance(value, dict | list) else 0
    if keys is None:  # a container deep down: too deep, or at the very limit
        value = _loads(text, strict_keys=True)
        if _depth(value) > MAX_JSON_DEPTH + 1:
            raise FileProblem(f"is nested more than {MAX_JSON_DEPTH} levels deep")
    elif keys != text.count(":"):
        value = _loads(text, strict_keys=True)
    return value, text


def write_text_atomic(
    path: Path, text: str, *, private: bool = False, sync_directory: bool = True
) -> None:
    """Replace `path` in one step, so a reader never sees half a file (nor a stray temp), and
    a power cut leaves the old file or the new one, never an empty one.

    The file gets the user's umask (0644 under the usual 022), or mode 0600 when `private`.
    The content is fsynced before the rename, and the directory after it (the rename is an
    entry of the directory: fsyncing it first would make only the temporary name durable);
    a caller writing many files into a few directories passes `sync_directory=False` and
    calls `sync_directories` once at the end. Raises FileWriteError naming the path and
    the reason."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(path, 0o600 if private else 0o666)
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))  # "\n" line ends on every system, as before
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise _write_error(path, error) from error
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync_directory:
        sync_directories([path.parent])


def _create_temporary(path: Path, mode: int) -> tuple[int, Path]:
    """A new file beside `path` (so the rename stays on one file system), opened for writing."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, _CREATE_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def sync_directories(directories: Iterable[Path]) -> None:
    """Make renames and new entries in `directories` durable: best effort, since not every
    file system can fsync a directory, and a no-op where directories cannot be opened
    (Windows)."""
    if _DIRECTORY_FLAGS is None:
        return
    for directory in dict.fromkeys(directories):
        try:
            fd = os.open(directory, os.O_RDONLY | _DIRECTORY_FLAGS)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass  # e.g. EINVAL on a file system without directory fsync
        finally:
            os.close(fd)


def _write_error(path: Path, error: OSError) -> FileWriteError:
    return FileWriteError(f"cannot write {path}: {error.strerror or error}")


def check_writable(path: Path, *, directory: bool = False) -> None:
    """Fail now, before any Graph request, if `path` (a file, or with `directory` a folder
    to write into) could not be written later: the folder is created and a scratch file
    made and removed in it. Raises FileWriteError naming the path and the reason."""
    folder = path if directory else path.parent
    if not directory and path.is_dir():
        raise FileWriteError(f"cannot write {path}: it is a directory")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, scratch = _create_temporary(folder / ".reconciler-check", 0o600)
        os.close(fd)
        scratch.unlink()
    except OSError as error:
        raise _write_error(path, error) from error
