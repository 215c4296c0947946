"""A training run's directory: the one place that knows its layout.

    RUN_DIR/
      config.json          the run's resolved TrainConfig (scripts.train --config reads it back)
      search.json          the published agent's SearchConfig (what load_agent plays with)
      LATEST               names the newest complete checkpoint
      ckpt-NNNNNN/         one checkpoint per saved iteration (the newest two are kept):
        model/             the published weights (agent.model.files), online/ too when they are averaged
        trainer.pt         optimizer, counters, every RNG state, the games played ahead
        replay.jsonl       replay's episodes
      metrics.jsonl, *.png, candidates.json, wandb/    the run's log (agent.training.runlog)
      eval/                scripts.evaluate's results

A checkpoint is written into a hidden temporary directory, renamed into place, and only then named by LATEST
(itself replaced atomically), so a run killed at any moment leaves LATEST naming a complete checkpoint.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil
from collections.abc import Callable

from agent.configs import from_dict
from agent.model.files import atomic_write
from agent.search.config import SearchConfig

CONFIG, SEARCH, LATEST, MODEL = "config.json", "search.json", "LATEST", "model"
KEEP = 2  # checkpoints kept: the newest, and the one before in case the newest is damaged


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
        """The name of the newest checkpoint, None if there is none."""
        try:
            return self.latest().name
        except FileNotFoundError:
            return None

    def model_dir(self) -> pathlib.Path:
        """Where the published model is: the newest checkpoint's model/ (a bare RUN_DIR/model/ where there is no
        LATEST); FileNotFoundError says what is missing."""
        if (self.path / LATEST).exists():
            name = (self.path / LATEST).read_text().strip()
            model = self.path / name / MODEL
            if not model.is_dir():
                raise FileNotFoundError(f"{self.path} is half-written: {LATEST} names {name!r}, which has no "
                                        f"{MODEL}/ directory")
            return model
        if not (self.path / MODEL).is_dir():
            raise FileNotFoundError(f"{self.path} holds no checkpoint (no {LATEST} file, no {MODEL}/ directory): "
                                    "a run that has not saved one yet, or not a run directory")
        return self.path / MODEL

    def write_checkpoint(self, iteration: int, fill: Callable[[pathlib.Path], None]) -> pathlib.Path:
        """A new checkpoint for `iteration`: `fill(directory)` writes its files into a temporary directory,
        which is renamed into place and then named by LATEST; older checkpoints beyond KEEP are removed."""
        name = self.checkpoint_name(iteration)
        tmp = self.path / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        fill(tmp)
        final = self.path / name
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        write_text(self.path / LATEST, name + "\n")
        for old in sorted(self.path.glob("ckpt-*"))[:-KEEP]:
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
