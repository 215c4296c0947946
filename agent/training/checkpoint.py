"""What a checkpoint of a training run holds, and restoring a trainer from it.

A checkpoint directory (agent.rundir) holds `model/` (the published weights) and, with Polyak averaging,
`online/` (what the learner and self-play continue from); `trainer.pt`: the optimizer, the counters, every
random state (the learner's draws, torch's, the published agent's; self-play's come from the seed and the
iteration, agent.training.selfplay) and the games played ahead; `replay.jsonl`: replay's episodes. With all of
it a resumed run continues exactly as an uninterrupted one, bit for bit where the learner has as many torch threads
(the same --actor on the same machine: a worker process takes one from it; other thread counts sum the same floats
in another order). A checkpoint written before self-play was sharded also holds the self-play actor's streams;
they are not needed any more and are left unread.
"""
from __future__ import annotations

import json
import pathlib
import pickle
from typing import TYPE_CHECKING

import torch

from agent.episodes import Episode
from agent.model.files import load_model, save_model

if TYPE_CHECKING:
    from agent.training.trainer import Trainer


def write_state(trainer: Trainer, directory: pathlib.Path) -> None:
    """Write the trainer's run state into a new checkpoint's directory."""
    save_model(trainer.agent.model, directory / "model")
    if trainer.average is not None:
        save_model(trainer.model, directory / "online")  # what self-play and the learner continue from
    state = {"optimizer": trainer.opt.state_dict(), "iteration": trainer.iteration, "updates": trainer.updates,
             "games": trainer.games, "trained_s": trainer.trained_s, "rng": _py_state(trainer.rng.getstate()),
             "torch_rng": torch.get_rng_state(),
             "player_rng": _py_state(trainer.agent.rng.getstate()),
             "player_generator": trainer.agent.generator.get_state()}
    if trainer.ahead is not None:
        episodes, stats = trainer.ahead
        state["ahead"] = json.dumps({"episodes": [e.to_json() for e in episodes], "stats": stats})
    torch.save(state, directory / "trainer.pt")
    trainer.replay.save(directory / "replay.jsonl")


def read_state(trainer: Trainer, path: pathlib.Path) -> None:
    """Restore the trainer's run state from the checkpoint directory `path`; clear errors for missing or
    corrupt files."""
    models = [(trainer.model, "model")]
    if trainer.average is not None:
        models = [(trainer.model, "online"), (trainer.average, "model")]
    for model, sub in models:
        model.load_state_dict(load_model(path / sub, expect_game=model.spec, expect_config=model.cfg,
                                         device=trainer.device).state_dict())
    try:
        state = torch.load(path / "trainer.pt", map_location="cpu", weights_only=True)
        trainer.opt.load_state_dict(state["optimizer"])
        trainer.iteration, trainer.updates, trainer.games = state["iteration"], state["updates"], state["games"]
        trainer.trained_s = float(state.get("trained_s", 0.0))  # absent before the budget spanned resumes
        trainer.rng.setstate(_py_unstate(state["rng"]))
        trainer.agent.rng.setstate(_py_unstate(state["player_rng"]))
        trainer.agent.generator.set_state(state["player_generator"])
        torch.set_rng_state(state["torch_rng"])
        trainer.ahead = None
        if "ahead" in state:
            ahead = json.loads(state["ahead"])
            trainer.ahead = [Episode.from_json(e) for e in ahead["episodes"]], ahead["stats"]
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} has no trainer.pt: the checkpoint is incomplete") from None
    except (OSError, RuntimeError, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as e:
        raise ValueError(f"{path / 'trainer.pt'} is corrupt or from another version: {e}") from None
    trainer.replay.load(path / "replay.jsonl")


def _py_state(state: tuple) -> list:
    """A `random.Random` state as torch.load(weights_only=True) can read it back."""
    version, internal, gauss = state
    return [version, torch.tensor(internal, dtype=torch.int64), gauss]


def _py_unstate(saved: list) -> tuple:
    """`_py_state`'s inverse."""
    version, internal, gauss = saved
    return version, tuple(int(x) for x in internal.tolist()), gauss
