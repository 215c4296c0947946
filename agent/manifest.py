"""A checkpoint's manifest: the SHA-256 of each of its files, written last, so a damaged checkpoint is known.

A checkpoint is complete when every file its `manifest.json` names is there with the hash it names. Files
truncated by a full disk, zeroed by a crash before the system flushed them, or edited by hand do not verify, and
readers (agent.rundir.RunDir.checkpoint) fall back to an older checkpoint that does.
"""
from __future__ import annotations

import hashlib
import json
import pathlib

from agent.model.files import atomic_write

MANIFEST = "manifest.json"


def digest(path: pathlib.Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_manifest(directory: pathlib.Path) -> None:
    """Write `directory/manifest.json` naming every file under `directory` (as a relative POSIX path) with its
    hash; call it once every other file is written."""
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)
    hashes = {p.relative_to(directory).as_posix(): digest(p) for p in files}
    atomic_write(directory / MANIFEST, lambda tmp: pathlib.Path(tmp).write_text(json.dumps(hashes, indent=1)))


def problem(directory: pathlib.Path, under: str = "") -> str | None:
    """Why `directory` does not verify against its manifest (None if it does), checking only the files whose
    path starts with `under` (e.g. "model/" for a reader that needs the model alone)."""
    try:
        hashes = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        return f"no {MANIFEST}"
    except (OSError, ValueError):
        return f"its {MANIFEST} is unreadable"
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        return f"its {MANIFEST} is not a map of file names to hashes"
    needed = {name: h for name, h in hashes.items() if name.startswith(under)}
    if not needed:
        return f"its {MANIFEST} names no file under {under or './'}"
    for name, expected in sorted(needed.items()):
        path = directory / name
        if not path.is_file():
            return f"{name} is missing"
        if digest(path) != expected:
            return f"{name} does not match its manifest"
    return None
