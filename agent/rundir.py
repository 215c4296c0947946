"""A training run's directory: the one place that knows its layout.

    RUN_DIR/
      config.json          the run's resolved TrainConfig (scripts.train --config reads it back)
      search.json          the published agent's SearchConfig (what load_agent plays with)
      LATEST               names the newest complete checkpoint
      ckpt-NNNNNN/         one checkpoint per saved iteration (the newest two are kept):
        model/             the published weights (agent.model.files), online/ too when they are averaged
        trainer.pt         optimizer, counters, every RNG state, the games played ahead
        replay.jsonl       replay's episodes
        manifest.json      the hash of each file above, written last (agent.manifest)
      metrics.jsonl, *.png, candidates.json, wandb/, wandb_id    the run's log (agent.training.runlog)
      eval/                scripts.evaluate's results; eval/matches/ its finished matches (agent.evaluation.match_store)

A checkpoint is written into a hidden temporary directory, sealed by its manifest, renamed into place, and only
then named by LATEST (itself replaced atomically), so a run killed at any moment leaves a complete checkpoint.
Readers (`RunDir.checkpoint`) take the newest checkpoint that verifies against its manifest, and warn about each
newer one they skip and why: one damaged later (a full disk, a crash before the system flushed it, a hand edit)
costs the iterations since the one before, not the run.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import pathlib
import shutil
from collections.abc import Callable

from agent.configs import from_dict
from agent.manifest import MANIFEST, problem, write_manifest
from agent.model.files import atomic_write
from agent.search.config import SearchConfig

CONFIG, SEARCH, LATEST, MODEL = "config.json", "search.json", "LATEST", "model"
KEEP = 2  # checkpoints kept: the newest, and the one before in case the newest is damaged
log = logging.getLogger(__name__)
WARNED: set[str] = set()  # what this process has warned about already (a command loads a run's agent many times)


def warn(message: str) -> None:
    """Log `message` as a warning, once per process."""
    if message not in WARNED:
        WARNED.add(message)
        log.warning(message)


def write_text(path: pathlib.Path, text: str) -> None:
    """Write `text` to `path` atomically."""
    atomic_write(path, lambda tmp: pathlib.Path(tmp).write_text(text))


@dataclasses.dataclass(frozen=True)
class RunDir:
    """Paths and reads/writes of one run directory (see the module docstring for the layout)."""

    path: pathlib.Path

    @property
    def config(self) -> pathlib.Path:
        """The run's config.json."""
        return self.path / CONFIG

    @property
    def search(self) -> pathlib.Path:
        """The published agent's search.json."""
        return self.path / SEARCH

    @staticmethod
    def checkpoint_name(iteration: int) -> str:
        """The directory name of the checkpoint taken after `iteration` iterations."""
        return f"ckpt-{iteration:06d}"

    def has_checkpoints(self) -> bool:
        """Whether the directory holds any checkpoint (then it is a run, not an empty or new folder)."""
        return self.path.is_dir() and any(self.path.glob("ckpt-*"))

    def latest(self) -> pathlib.Path:
        """The checkpoint directory LATEST names; FileNotFoundError says what is missing."""
        pointer = self.path / LATEST
        if not pointer.exists():
            raise FileNotFoundError(f"{self.path} has no {LATEST} file: no checkpoint to resume from")
        path = self.path / pointer.read_text().strip()
        if not path.is_dir():
            raise FileNotFoundError(f"{pointer} names {path.name}, which does not exist")
        return path

    def latest_name(self) -> str | None:
        """The name of the checkpoint LATEST names, None if there is none."""
        try:
            return self.latest().name
        except FileNotFoundError:
            return None

    def checkpoint(self, under: str = "") -> pathlib.Path:
        """The newest checkpoint whose files (those under `under`, e.g. "model/") verify against its manifest,
        with a warning naming each newer one skipped and why, and any disagreement with LATEST; FileNotFoundError
        where the run has no checkpoint, ValueError where none verifies. A checkpoint written before checkpoints
        carried a manifest is used unverified, with a warning."""
        found = sorted((p for p in self.path.glob("ckpt-*") if p.is_dir()), reverse=True)
        if not found:
            raise FileNotFoundError(f"{self.path} holds no checkpoint (no ckpt-* directory): a run that has not "
                                    "saved one yet, or not a run directory")
        skipped = []
        for path in found:
            why = problem(path, under)
            if why == f"no {MANIFEST}" and (path / MODEL).is_dir():
                warn(f"warning: {path} has no {MANIFEST} (written before checkpoints carried one): its files are "
                     "used unverified")
                why = None
            if why is None:
                break
            skipped.append(f"{path.name} ({why})")
        else:
            raise ValueError(f"no checkpoint in {self.path} verifies: {'; '.join(skipped)}")
        pointer = self.path / LATEST
        named = pointer.read_text().strip() if pointer.is_file() else None
        if skipped:
            warn(f"warning: using {path.name}, skipping the newer {'; '.join(skipped)}")
        elif named != path.name:
            warn(f"warning: using {path.name}, the newest checkpoint that verifies: "
                 + (f"{pointer} names {named}" if named else f"{pointer} is missing"))
        return path

    def model_dir(self) -> pathlib.Path:
        """Where the published model is: the newest verifying checkpoint's model/ (a bare RUN_DIR/model/ where
        there is no checkpoint); FileNotFoundError or ValueError says what is missing or damaged."""
        if any(self.path.glob("ckpt-*")):
            return self.checkpoint(under=MODEL + "/") / MODEL
        if not (self.path / MODEL).is_dir():
            raise FileNotFoundError(f"{self.path} holds no checkpoint (no ckpt-* directory, no {MODEL}/ directory): "
                                    "a run that has not saved one yet, or not a run directory")
        return self.path / MODEL

    def write_checkpoint(self, iteration: int, fill: Callable[[pathlib.Path], None]) -> pathlib.Path:
        """A new checkpoint for `iteration`: `fill(directory)` writes its files into a temporary directory, which
        is sealed with its manifest, renamed into place and then named by LATEST. Of the older checkpoints the
        newest KEEP - 1 stay; newer ones (left by a run resumed from an earlier checkpoint) are replaced as the
        run reaches them."""
        name = self.checkpoint_name(iteration)
        tmp = self.path / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        fill(tmp)
        write_manifest(tmp)
        final = self.path / name
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        write_text(self.path / LATEST, name + "\n")
        older = sorted(p for p in self.path.glob("ckpt-*") if p.name < name)
        for old in older[:len(older) - (KEEP - 1)]:
            shutil.rmtree(old, ignore_errors=True)
        return final

    def read_search(self) -> SearchConfig | None:
        """The published search settings, None where the directory has no search.json."""
        if not self.search.exists():
            return None
        try:
            return from_dict(SearchConfig, json.loads(self.search.read_text()), "its settings")
        except ValueError as e:  # malformed JSON included
            raise ValueError(f"{self.search} is not a valid search config: {e}") from None

    def write_search(self, cfg: SearchConfig) -> None:
        """Publish `cfg` as the run's search.json."""
        write_text(self.search, json.dumps(dataclasses.asdict(cfg), indent=2))

    def claimed_game(self) -> str | None:
        """The game config.json names, None where there is no config.json."""
        if not self.config.exists():
            return None
        try:
            return json.loads(self.config.read_text()).get("game")
        except (json.JSONDecodeError, AttributeError):
            raise ValueError(f"{self.config} is not a JSON object (half-written?)") from None
