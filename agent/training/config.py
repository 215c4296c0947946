"""`TrainConfig`: every option of a training run, saved as RUN_DIR/config.json; the command line is made from it."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import pathlib
import types
import typing
from typing import Literal

import games
from agent.configs import from_dict
from agent.device import pick_device
from agent.model.config import PRESETS, replace
from agent.model.losses import LossConfig
from agent.search.config import SearchConfig
from agent.training.actor import Where
from agent.training.replay import Weighting

SELFPLAY = SearchConfig(simulations=32)
"""The self-play search's defaults: PUCT with Dirichlet noise, 4 particles, 32 simulations."""
PLAY = SearchConfig(simulations=32, particles=8, root="gumbel", gumbel_c_scale=0.1, repeats=4)
"""The published agent's search's defaults: a Gumbel root a small step from the prior, 8 worlds, 4 searches."""
FLAT_SEARCH_FIELDS = {  # config.json before the searches were nested: flat field -> (search, field)
    "simulations": ("selfplay", "simulations"), "particles": ("selfplay", "particles"),
    "root": ("selfplay", "root"), "gumbel_c_scale": ("selfplay", "gumbel_c_scale"),
    "mmd_eta": ("selfplay", "mmd_eta"), "mmd_alpha": ("selfplay", "mmd_alpha"),
    "play_root": ("play", "root"), "play_c_scale": ("play", "gumbel_c_scale"),
    "play_particles": ("play", "particles"), "play_simulations": ("play", "simulations"),
    "play_repeats": ("play", "repeats"),
}


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs; saved as RUN_DIR/config.json and reloadable with --config."""

    game: str = "leduc_poker"
    """OpenSpiel game to train on (games.supported() lists the card games)."""
    game_params: dict[str, int | float | bool | str] = dataclasses.field(default_factory=dict)
    """OpenSpiel parameters over the game's defaults, e.g. --game-params players 3 (checked against the game's)."""
    out: pathlib.Path | None = None
    """Run directory (default: runs/GAME)."""
    preset: str = "auto"
    """Model preset (agent.model.config.PRESETS), or auto: tiny on a CPU (it learns fastest there), base on a GPU."""
    model: dict[str, int | float | str] = dataclasses.field(default_factory=dict)
    """Model config fields over the preset's, e.g. --model dynamics_layers 2 (agent.model.config.ModelConfig); a
    second --model, or one over --config, replaces the whole set (one after --recipe joins the recipe's)."""
    seed: int = 0
    """Seed of every random stream of the run."""
    device: str = "auto"
    """Where the networks run: auto (cuda when torch sees one, else cpu), cpu or cuda."""
    steps: int = 4000
    """Budget: stop after this many learner updates in all (enough for kuhn_poker to converge)."""
    minutes: float = 13.0
    """Budget: stop after this many minutes in all (checked between iterations): the main job's training, which
    leaves its end's measurements room within make train's time (docs/results.md)."""
    resume: bool = False
    """Continue the run in --out from its latest checkpoint (its saved config, this command's budget)."""
    wandb_mode: Literal["offline", "online", "disabled"] | None = None
    """Weights & Biases mode (default: $WANDB_MODE, else offline: no account or network needed)."""
    config: pathlib.Path | None = None
    """Load options from a saved config.json; flags given on the command line still win."""
    games_per_iteration: int = 32
    """Self-play games played in parallel per iteration (one batched search over all of them)."""
    selfplay: SearchConfig = dataclasses.field(default_factory=lambda: SELFPLAY)
    """The self-play search (noise on; its policy is the policy target): PUCT, whose visit shares average well."""
    play: SearchConfig = dataclasses.field(default_factory=lambda: PLAY)
    """The published agent's search (evaluations, search.json): Gumbel a small step from the prior, which mixes."""
    choose_play: bool = True
    """On kuhn_poker and leduc_poker, publish the play search of play_choice.CANDIDATES that measures lowest."""
    temperature: float = 1.0
    """Self-play actions are drawn from the search policy ** (1 / temperature)."""
    actor: Where = "auto"
    """Where self-play plays without --actors: a worker process beside the learner, inline, or auto (a worker on
    2+ CPUs or a GPU)."""
    actors: int = 0
    """Ray actors playing self-play (needs the `cardzero[ray]` extra; 0: none, self-play plays as --actor says)."""
    ray_address: str | None = None
    """The Ray cluster the actors join (e.g. auto, or HEAD_IP:6379); default: a local Ray sized to this machine's
    CPUs."""
    shards: int | None = None
    """Shards an iteration's games are split into, each with random streams from the seed, the iteration and the
    shard: the same shards give the same run whatever --actors (default: --actors, at least 1, so each actor
    plays one)."""
    updates_per_iteration: int = 16
    """Learner updates per iteration's games."""
    batch_size: int = 64
    """Positions per learner update."""
    unroll: int = 5
    """K, dynamics steps unrolled per position (the design's K of about 5)."""
    lr: float = 1e-3
    """AdamW learning rate."""
    lr_decay: Literal["constant", "linear", "cosine"] = "cosine"
    """Schedule from lr to lr * lr_final over lr_decay_steps (cosine: best measured on runs bounded by --steps)."""
    lr_final: float = 0.1
    """The decayed learning rate's end, as a fraction of lr."""
    lr_decay_steps: int | None = None
    """Updates a decaying schedule takes (default: --steps at the start; --resume keeps it)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    losses: LossConfig = dataclasses.field(default_factory=LossConfig)
    """Weights of the loss terms (agent.model.losses.LossConfig)."""
    average: float = 0.0
    """Polyak averaging of the published weights per update (0: off; it measured no gain)."""
    replay_capacity: int = 50_000
    """Decisions kept in replay (the oldest episodes go first)."""
    replay_weighting: Weighting = "uniform"
    """Draw replay's decisions alike, or in proportion to their iteration (linear: CFR+'s average)."""
    max_legal: int = 32
    """Legal actions per state in the generator and policy targets (the policy's support first)."""
    generator_actions: int = 0
    """Legal actions per state the generator's loss reads, a uniform random subset of those targets (an unbiased
    estimate of their mean; 0: all): where actions are long (dou_dizhu's up to 23 tokens) G's teacher-forced pass
    over every legal action can be most of an update (results.md)."""
    eval_every: int = 5
    """Iterations between in-run evaluations against uniform random."""
    eval_games: int = 100
    """Games per in-run evaluation (seats rotated)."""
    final_games: int = 200
    """Games against uniform random in the run's summary (the published search); 0 skips them."""
    final_exploitability: bool = True
    """Measure the published agent's exploitability at the end, where exact (liars_dice's takes long:
    docs/results.md)."""
    exploitability_every: int | None = None
    """Iterations between in-run exploitability measurements (default: the game's); 0 never."""
    checkpoint_every: int = 5
    """Iterations between checkpoints (one is always written at the end)."""

    def __post_init__(self):
        """Refuse, naming the option and what it accepts, a value of the wrong type or out of range: checked once,
        here, before a run writes anything."""
        check_types(self)
        games.check_game(self.game, self.game_params)
        at_least = {"steps": 1, "games_per_iteration": 1, "updates_per_iteration": 1, "batch_size": 1, "unroll": 0,
                    "replay_capacity": 1, "max_legal": 1, "eval_every": 1, "eval_games": 1, "final_games": 0,
                    "checkpoint_every": 1, "lr_decay_steps": 1, "exploitability_every": 0, "actors": 0, "shards": 1,
                    "generator_actions": 0}
        for name, low in at_least.items():
            value = getattr(self, name)
            if value is not None and value < low:
                raise ValueError(f"{name} must be at least {low}, got {value}")
        for name in ("minutes", "lr", "temperature"):
            if not 0 < getattr(self, name) < math.inf:
                raise ValueError(f"{name} must be a finite number > 0, got {getattr(self, name)}")
        if not 0 <= self.weight_decay < math.inf:
            raise ValueError(f"weight_decay must be a finite number >= 0, got {self.weight_decay}")
        if not 0.0 <= self.average < 1.0:
            raise ValueError(f"average must be in [0, 1), got {self.average}")
        if not 0.0 <= self.lr_final <= 1.0:
            raise ValueError(f"lr_final must be in [0, 1], got {self.lr_final}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be auto, cpu or cuda, got {self.device!r}")
        if self.shards is not None and self.shards > self.games_per_iteration:
            raise ValueError(f"shards must be at most games_per_iteration ({self.games_per_iteration}), "
                             f"got {self.shards}")
        if self.actors and importlib.util.find_spec("ray") is None:
            raise ValueError(f"actors {self.actors} needs Ray, which is not installed: pip install -e '.[ray]' "
                             "(the cardzero[ray] extra), or leave --actors out to play self-play on this machine")
        if self.ray_address is not None and not self.actors:
            raise ValueError("ray_address needs actors: --actors N says how many Ray actors join the cluster")
        if self.preset != "auto" and self.preset not in PRESETS:
            raise ValueError(f"preset must be auto or one of {', '.join(PRESETS)}, got {self.preset!r}")
        if self.model:  # over the preset this run builds: names an unknown field, a wrong kind or range
            replace(PRESETS[self._preset()], **self.model)

    def resolved(self) -> TrainConfig:
        """This config with its defaults filled in: the run directory, the schedule's length, the preset."""
        return dataclasses.replace(self, out=self.out or pathlib.Path("runs") / self.game,
                                   lr_decay_steps=self.lr_decay_steps or self.steps, preset=self._preset(),
                                   shards=self.shards or min(max(1, self.actors), self.games_per_iteration))

    def _preset(self) -> str:
        """The preset the run builds: --preset, or for auto base on a GPU and tiny on a CPU."""
        if self.preset != "auto":
            return self.preset
        return "base" if pick_device(self.device).type == "cuda" else "tiny"

    def to_json(self) -> str:
        """JSON of every field (paths as strings)."""
        d = dataclasses.asdict(self)
        return json.dumps({k: str(v) if isinstance(v, pathlib.Path) else v for k, v in d.items()}, indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "config") -> TrainConfig:
        """Parse `to_json`'s output; ValueError names unknown or malformed fields."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{source} is not JSON: {e}") from None
        if not isinstance(data, dict):
            raise ValueError(f"{source} must be a JSON object of options, got {type(data).__name__}")
        data = _nest_flat_searches(data)
        if "losses" in data:
            data["losses"] = from_dict(LossConfig, data["losses"], f"{source}'s losses")
        for key in ("selfplay", "play"):
            if key in data:
                data[key] = from_dict(SearchConfig, data[key], f"{source}'s {key}")
        return from_dict(cls, data, source)


def _nest_flat_searches(data: dict) -> dict:
    """A config.json written before the two searches were nested, in today's shape (`inner_play` applied to
    both searches, as it was); a config.json in today's shape comes back as it is."""
    flat = set(FLAT_SEARCH_FIELDS) | {"inner_play"}
    if not flat & set(data):
        return data
    out = {k: v for k, v in data.items() if k not in flat}
    nested = {"selfplay": dataclasses.asdict(SELFPLAY), "play": dataclasses.asdict(PLAY)}
    for key, (search, field) in FLAT_SEARCH_FIELDS.items():
        if key in data:
            nested[search][field] = data[key]
    if "inner_play" in data:
        nested["selfplay"]["inner_play"] = nested["play"]["inner_play"] = data["inner_play"]
    return out | nested


def check_types(cfg) -> None:
    """Refuse a field of dataclass `cfg` whose value is not of its declared type (what a config.json can hold:
    numbers, strings, booleans, null, one of a Literal's values); a path given as a string becomes a Path."""
    hints = typing.get_type_hints(type(cfg))
    for f in dataclasses.fields(cfg):
        value, kind = getattr(cfg, f.name), hints[f.name]
        if not _fits(value, kind):
            raise ValueError(f"{f.name} must be {_describe(kind)}, got {value!r}")
        if isinstance(value, str) and pathlib.Path in typing.get_args(kind):
            object.__setattr__(cfg, f.name, pathlib.Path(value))


def _fits(value, kind) -> bool:
    """Whether `value` is of type `kind` (int, float, bool, str, Path, a Literal, a dataclass, X | None)."""
    if typing.get_origin(kind) is typing.Literal:
        return value in typing.get_args(kind)
    if typing.get_origin(kind) is dict:
        keys, values = typing.get_args(kind)
        return isinstance(value, dict) and all(_fits(k, keys) and _fits(v, values) for k, v in value.items())
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return any(_fits(value, k) for k in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is pathlib.Path:
        return isinstance(value, (str, pathlib.Path))
    return isinstance(value, kind)


def _describe(kind) -> str:
    """A type as the error message says it."""
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(repr(v) for v in typing.get_args(kind))
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return " or ".join(_describe(k) for k in typing.get_args(kind))
    if typing.get_origin(kind) is dict:
        return "a map of " + " to ".join(_describe(k) for k in typing.get_args(kind))
    return {type(None): "null", float: "a number", int: "an integer", bool: "true or false", str: "a string",
            pathlib.Path: "a path"}.get(kind, getattr(kind, "__name__", str(kind)))
