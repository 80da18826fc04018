"""The repository stands alone: no tracked file points to a path outside it, and none carries
what a merge left unresolved.

Its documents cite its own files (``mock_aimharder/API.md``, README sections); a path that only
exists on the machine it was written on would be a dead reference anywhere else.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE_PATHS = ("../shared", "/work/", "AIMHARDER-API.md", "DESIGN.md", "STYLE.md")
"""Paths that lead out of the repository, and the guides outside it that were once cited by name."""


def tracked_files() -> list[Path]:
    """Files git tracks, and the new ones it would (not ignored), as the working tree has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


CONFLICT_MARKERS = ("<<<<<<< ", "=======", ">>>>>>> ")
"""The lines git writes around a conflict it could not resolve, each at the start of a line."""


def lines_of_other_files() -> list[tuple[str, int, str]]:
    """(file, line number, line) of every tracked text file but this one."""
    this = Path(__file__).resolve()
    files = tracked_files()
    assert this in files  # the listing is the repository's, not an empty one
    return [
        (str(path.relative_to(ROOT)), number, line)
        for path in files
        if path != this and path.is_file()
        for number, line in enumerate(
            path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1
        )
    ]


def test_no_tracked_file_mentions_a_path_outside_the_repository() -> None:
    offenders = [
        f"{name}:{number}: {outside}"
        for name, number, line in lines_of_other_files()
        for outside in OUTSIDE_PATHS
        if outside in line
    ]
    assert offenders == []


def test_no_tracked_file_holds_an_unresolved_merge() -> None:
    offenders = [
        f"{name}:{number}"
        for name, number, line in lines_of_other_files()
        if line.startswith(CONFLICT_MARKERS[::2]) or line == CONFLICT_MARKERS[1]
    ]
    assert offenders == []
