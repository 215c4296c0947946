"""Matches kept in the run directory, so an evaluation stopped part-way (the long games' evaluations take hours on a
laptop: docs/results.md) resumes where it stopped instead of playing its finished matches again.

Each finished match is written atomically to RUN/eval/matches/KEY.json with what determined it: the checkpoint it
played, the code's commit, the search, the variant and opponent, the games and the seed. A later evaluation of the
same run reuses it only where all of these are the same, and says so; code with uncommitted changes (a commit
ending in `+`, or none) neither keeps nor reuses a match, since what it plays is not named by its commit. Delete
the folder (or pass `--no-reuse` to scripts.evaluate) to measure again.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess

from agent.rundir import RunDir, write_text


def commit() -> str:
    """The repository's short commit hash (with `+` where the working tree has changes outside docs/, where the
    results tool writes its table), or `unknown`."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    changed = [ln for ln in dirty.stdout.splitlines() if not ln[3:].startswith("docs/")]  # not the table itself
    return head.stdout.strip() + ("+" if changed else "")


class MatchStore:
    """The kept matches of one run at its latest checkpoint and this code's commit; `get` and `put` by a dict of
    what else determines a match (its variant, opponent, games, seed, search). With `reuse` off, matches are
    measured again and replace the kept ones."""

    def __init__(self, run: pathlib.Path, reuse: bool = True):
        self.folder = pathlib.Path(run) / "eval" / "matches"
        self.base = {"checkpoint": RunDir(pathlib.Path(run)).latest_name(), "commit": commit()}
        self.keep = self.base["checkpoint"] is not None and self.base["commit"] not in ("unknown", "") \
            and not self.base["commit"].endswith("+")
        self.reuse = reuse and self.keep

    def _path(self, key: dict) -> pathlib.Path:
        """Where the match of `key` is kept: a hash of the whole key, so any change of it is a new file."""
        text = json.dumps(self.base | key, sort_keys=True, default=str)
        return self.folder / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"

    def get(self, key: dict) -> dict | None:
        """The kept result of the match `key`, or None (none kept, reuse off, or a file that does not read back
        with the same key: it is measured again and rewritten)."""
        if not self.reuse:
            return None
        path = self._path(key)
        try:
            kept = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        same = isinstance(kept, dict) and kept.get("key") == json.loads(json.dumps(self.base | key, default=str))
        return kept.get("result") if same else None

    def put(self, key: dict, result: dict) -> pathlib.Path | None:
        """Keep `result` for the match `key` (atomically, replacing one kept before); returns its file, None where
        nothing is kept (uncommitted code, no checkpoint)."""
        if not self.keep:
            return None
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps({"key": self.base | key, "result": result}, default=str))
        return path
