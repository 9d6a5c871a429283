"""What the checkout holds, so a guard can prove a test left it as it found it."""

from __future__ import annotations

from pathlib import Path


def file_stamps(root: Path, folders: tuple[str, ...], skip: Path | None = None
                ) -> dict[str, tuple[int, int]]:
    """Every file under ``root``'s ``folders`` (relative name -> mtime ns, size), leaving out
    ``__pycache__`` and whatever lies under ``skip`` (a folder someone else writes meanwhile)."""
    files = {}
    for name in folders:
        for path in (root / name).rglob("*"):
            if skip is not None and path.is_relative_to(skip):
                continue
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                files[str(path.relative_to(root))] = (stat.st_mtime_ns, stat.st_size)
    return files
