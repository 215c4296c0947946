"""The training run: self-play, replay, learner, evaluation and checkpoints, one iteration at a time.

An iteration adds `games_per_iteration` whole self-play games (batched search, noise on) to replay, hands the
actor (`agent.actor`) the current weights to play the next iteration's games with, makes
`updates_per_iteration` learner updates on K-step unroll targets meanwhile, then collects those games. So
self-play runs one iteration behind the learner, on a core of its own where there are two. Value targets are
Monte-Carlo returns: card-game episodes are short and end with the score, so there is nothing to bootstrap and
no target network to keep. Checkpoints fall between iterations, after the next games are collected, so a
checkpoint holds the whole state of the run (model, optimizer, counters, every RNG, replay, the games played
ahead) and a resumed run continues exactly as an uninterrupted one would.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
import pathlib
import pickle
import random
import shutil
import time
from typing import Literal

import torch

import games
from agent.actor import Where, make_actor
from agent.agent import Agent, save_search_config
from agent.batch import Episode, make_batch
from agent.checkpoint import atomic_write, load_model, save_model
from agent.config import GameSpec, preset
from agent.losses import LossConfig, unrolled_loss
from agent.model import Model
from agent.replay import Replay, Weighting
from agent.search import SearchConfig
from tokenizer.tokenizer import Tokenizer

LATEST = "LATEST"  # names the newest complete checkpoint directory of a run


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs; saved as RUN_DIR/config.json and reloadable with --config."""

    game: str = "leduc_poker"
    """OpenSpiel game to train on (games.supported() lists the card games)."""
    out: pathlib.Path | None = None
    """Run directory (default: runs/GAME)."""
    preset: str = "small"
    """Model preset: tiny, small (CPU) or base (GPU)."""
    seed: int = 0
    """Seed of every random stream of the run."""
    device: str = "auto"
    """auto, cpu or cuda."""
    steps: int = 4000
    """Budget: stop after this many learner updates in total (kuhn_poker, cosine schedule, two seeds, fresh
    measurements: 0.087 and 0.087 after 4000, 0.095 and 0.104 after 2000)."""
    minutes: float = 13.0
    """Budget: stop this process after this many minutes (checked between iterations); the final evaluation
    comes after it."""
    resume: bool = False
    """Continue the run in --out from its latest checkpoint (its saved config, with this command's budget)."""
    wandb_mode: Literal["offline", "online", "disabled"] | None = None
    """Weights & Biases mode (default: $WANDB_MODE, else offline; no account needed offline)."""
    config: pathlib.Path | None = None
    """Load options from a saved config.json; flags given on the command line still win."""
    games_per_iteration: int = 32
    """Self-play games played in parallel per iteration."""
    simulations: int = 32
    """Search simulations per move in self-play (the main job's leduc recipe uses 48: on 2 CPU cores the worker
    plays them while the learner learns; the learner never waited for its games, `time/wait_s` 0.0)."""
    particles: int = 4
    """Belief particles per search."""
    root: Literal["puct", "gumbel", "mmd"] = "puct"
    """Root selection in self-play: PUCT with Dirichlet noise (visit-count targets; measured better on leduc),
    Gumbel top-m with sequential halving (sharper targets, meant for very few simulations; crazy_eights' recipe
    uses it: with 16 PUCT simulations the prior learned to draw where it could play, and seed 0 won 56% of 100
    games against uniform random, 83% with Gumbel), or a magnetic
    mirror descent step from the prior on evenly searched Q (a policy target that converges in two-player
    zero-sum games; pair it with --inner-play prior so Q is the current policy's)."""
    mmd_eta: float = 1.0
    """MMD root in self-play: step size on Q in units of the game's largest absolute return."""
    mmd_alpha: float = 0.05
    """MMD root in self-play: pull of the uniform magnet (an entropy bonus; 0 is plain mirror descent)."""
    gumbel_c_scale: float = 1.0
    """Gumbel root in self-play: how far the improved policy (the policy target) moves from the prior towards
    the searched Q values, softmax(logits + (c_visit + max N) * c_scale * normalised Q)."""
    play_root: Literal["puct", "gumbel"] = "gumbel"
    """Root of the search of the agent the run publishes (in-run evaluation, exploitability, RUN_DIR/search.json
    unless `choose_play` measures another one better at the end): PUCT's visit shares, or Gumbel's improved
    policy with `play_c_scale`. The prior learns the average of the self-play searches (replay holds many of
    them); a small step from it towards the searched Q keeps the mixing imperfect-information games need, where
    visit shares chase the Q of the moment (kuhn, five 10-minute runs: 0.08-0.18, mean 0.110, against 0.15-0.21
    from PUCT; leduc pays for it: 0.96-1.02 against 0.85-0.87)."""
    play_c_scale: float = 0.1
    """Gumbel's c_scale in the published agent's search (with `play_root` gumbel): the prior is tilted by at
    most exp((50 + max N) * play_c_scale) towards the best searched Q. Measured on the same checkpoints: kuhn
    means 0.108 / 0.101 / 0.110 at 0.01 / 0.03 / 0.1, leduc 1.15 / 1.04 / 0.99; 0.3 loses in both."""
    choose_play: bool = True
    """At the end of a run on a game whose exploitability the run measures (kuhn_poker, leduc_poker), publish
    whichever play search of agent.play_choice.CANDIDATES (the prior alone, Gumbel steps 0.01 to 0.1, PUCT)
    measures lowest on the final model, instead of the one set above (which the in-run evaluations use)."""
    play_particles: int = 8
    """Belief particles of the published agent's search (more worlds, a less noisy policy)."""
    play_simulations: int = 32
    """Simulations of the published agent's search."""
    play_repeats: int = 4
    """Independent searches the published agent pools per decision (agent.search.SearchConfig.repeats: their
    mean policy is less exploitable and far less noisy than one search's). The in-run evaluations search once
    (progress figures; pooling costs `play_repeats` times as much)."""
    inner_play: Literal["puct", "prior_others", "prior"] = "puct"
    """How players choose below the root: PUCT on their own values, or the others (or everyone) drawn from
    the policy prior (see agent.search.SearchConfig.inner_play)."""
    temperature: float = 1.0
    """Self-play actions are drawn from the search policy ** (1 / temperature)."""
    actor: Where = "auto"
    """Where self-play plays: in a worker process beside the learner (the next iteration's games are played
    while the learner learns), in the learner's process one step after the other, or auto: a worker where 2 or
    more CPUs (or a GPU) are usable. The games and the run are the same either way; only the time differs."""
    updates_per_iteration: int = 16
    """Learner updates after each iteration's games."""
    batch_size: int = 64
    """Positions per learner update."""
    unroll: int = 5
    """K, dynamics steps unrolled per position."""
    lr: float = 1e-3
    """AdamW learning rate."""
    lr_decay: Literal["constant", "linear", "cosine"] = "cosine"
    """Learning-rate schedule: constant, or decayed linearly or along a half cosine from `lr` to
    `lr * lr_final` over `lr_decay_steps` updates (a run stopped earlier by `minutes` ends part-way). kuhn_poker,
    2000 updates, seed 0: cosine 0.095 against constant 0.104.
    The leduc main job, bounded by time rather than updates, keeps constant (its recipe in the Makefile): linear
    decay over its 1700 updates measured no better (published 0.615, fresh 0.642, against 0.566 and 0.612)."""
    lr_final: float = 0.1
    """With a decaying schedule, the learning rate from update `lr_decay_steps` on, as a fraction of `lr`."""
    lr_decay_steps: int | None = None
    """Updates a decaying schedule takes (default: the run's `steps` when it starts; a resumed run keeps it,
    so a larger budget on --resume continues the same schedule)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    losses: LossConfig = dataclasses.field(default_factory=LossConfig)
    """Weights of the loss terms (agent.losses.LossConfig), e.g. --losses.generator 2 (a config.json without
    them, from before they were options, gets the defaults)."""
    average: float = 0.0
    """Polyak averaging of the published weights: after every update avg += (1 - average) * (online - avg).
    The averaged model is the one evaluated, checkpointed as model/ and loaded by load_agent; self-play keeps
    the online one. Self-play policies oscillate (each best-responds to the last); the average moves slowly.
    0 turns it off."""
    replay_capacity: int = 50_000
    """Decisions kept in replay (oldest episodes go first)."""
    replay_weighting: Weighting = "uniform"
    """How the learner draws decisions from replay: all alike, or in proportion to the iteration that played
    them (the prior learns CFR+'s linearly weighted average of the search policies, so the first, near-random
    iterations fade). Main-job settings, 2000 updates: leduc published 0.51 and 0.58 (two seeds) with linear
    against 0.64-0.81 with uniform (the main job's recipe uses it, see the Makefile); kuhn's prior 0.148 against
    0.070."""
    max_legal: int = 32
    """Legal actions per state in the generator and policy targets (the policy's support first)."""
    eval_every: int = 5
    """Iterations between evaluations against uniform random."""
    eval_games: int = 100
    """Games per evaluation (seats rotated)."""
    final_games: int = 200
    """Games against uniform random in the summary `scripts.train` prints after training (seats rotated, the
    published search); 0 skips them. They cost: 20 crazy_eights games took 107 s on 2 CPU cores with one search
    per decision, and the published search pools `play_repeats` of them."""
    exploitability_every: int | None = None
    """Iterations between in-run exploitability measurements on games small enough (kuhn_poker, leduc_poker;
    default: at every evaluation on kuhn_poker, every 25 iterations on leduc_poker, whose 936 information sets
    take ~10 s to search); 0 never."""
    checkpoint_every: int = 5
    """Iterations between checkpoints (one is always written at the end)."""

    def resolved(self) -> "TrainConfig":
        """This config with its defaults filled in: the run directory, the schedule's length."""
        return dataclasses.replace(self, out=self.out or pathlib.Path("runs") / self.game,
                                   lr_decay_steps=self.lr_decay_steps or self.steps)

    def search(self) -> SearchConfig:
        """The search settings of self-play."""
        return SearchConfig(simulations=self.simulations, particles=self.particles, root=self.root,
                            gumbel_c_scale=self.gumbel_c_scale, inner_play=self.inner_play,
                            mmd_eta=self.mmd_eta, mmd_alpha=self.mmd_alpha)

    def play_search(self) -> SearchConfig:
        """The search settings of the agent the run publishes (evaluated in the run, saved as search.json)."""
        return SearchConfig(simulations=self.play_simulations, particles=self.play_particles, root=self.play_root,
                            gumbel_c_scale=self.play_c_scale, inner_play=self.inner_play,
                            repeats=self.play_repeats)

    def to_json(self) -> str:
        """JSON of every field (paths as strings)."""
        d = dataclasses.asdict(self)
        return json.dumps({k: str(v) if isinstance(v, pathlib.Path) else v for k, v in d.items()}, indent=2)

    @classmethod
    def from_json(cls, text: str, source: str = "config") -> "TrainConfig":
        """Parse `to_json`'s output; ValueError names unknown or malformed fields."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{source} is not JSON: {e}") from None
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"{source} has unknown options {unknown}; options: {sorted(names)}")
        for key in ("out", "config"):
            if data.get(key) is not None:
                data[key] = pathlib.Path(data[key])
        if "losses" in data:
            data["losses"] = LossConfig.from_dict(data["losses"], f"{source}'s losses")
        return cls(**data)


def pick_device(name: str) -> torch.device:
    """'auto' -> cuda when available, else cpu; refuses unknown names."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device")
    return torch.device(name)


class Trainer:
    """The state of one run and the loop that advances it."""

    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg = cfg.resolved()
        self.dir = pathlib.Path(cfg.out)
        self.device = pick_device(cfg.device)
        self.adapter = games.load(cfg.game)
        torch.manual_seed(cfg.seed)
        self.model = Model(preset(cfg.preset), GameSpec.of(self.adapter)).to(self.device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.replay = Replay(self.adapter, cfg.replay_capacity, cfg.replay_weighting)
        self.rng = random.Random(cfg.seed)  # the learner's draws from replay
        self.tok = Tokenizer.for_game(self.adapter)
        self.actor = None  # plays self-play (agent.actor); started by the first `play`
        self.ahead: tuple[list[Episode], dict] | None = None  # the next iteration's games, once collected
        self.average = None  # the Polyak-averaged model, when cfg.average > 0
        if not 0.0 <= cfg.average < 1.0:
            raise ValueError(f"average must be in [0, 1), got {cfg.average}")
        if cfg.lr_decay not in ("constant", "linear", "cosine") or not 0.0 <= cfg.lr_final <= 1.0 \
                or cfg.lr_decay_steps < 1:
            raise ValueError(f"lr_decay must be constant, linear or cosine, lr_final in [0, 1] and lr_decay_steps "
                             f">= 1; got {cfg.lr_decay!r}, {cfg.lr_final}, {cfg.lr_decay_steps}")
        if cfg.average > 0:
            self.average = copy.deepcopy(self.model).eval()
        # the agent the run publishes (evaluated, checkpointed as model/): the averaged weights if any, the play search
        model = self.average if self.average is not None else self.model
        self.player = Agent(self.adapter, model, search=cfg.play_search(), seed=cfg.seed + 2)
        self.iteration = self.updates = self.games = 0
        self.play_choice: tuple[str, dict[str, float]] | None = None  # (published, figures) once chosen (run.py)

    # ----- one iteration -----
    def play(self) -> dict:
        """Add this iteration's games to replay (played ahead with the weights before the last learning; on a
        run's first iteration, now) and start the next iteration's with the current weights; returns the added
        games' self-play statistics (`seconds`: the time the actor spent playing them)."""
        actor = self._actor()
        if self.ahead is None:  # the first iteration: nothing was played ahead
            actor.submit(self.model.state_dict())
            self.ahead = actor.result()
        (episodes, stats), self.ahead = self.ahead, None
        self.replay.add(episodes, self.iteration + 1)  # the iteration these games belong to
        self.games += len(episodes)
        actor.submit(self.model.state_dict())
        return stats

    def collect(self) -> float:
        """Wait for the games `play` started (the next iteration's); returns the seconds waited."""
        began = time.perf_counter()
        self.ahead = self._actor().result()
        return time.perf_counter() - began

    def _actor(self):
        """The self-play actor, started on first use."""
        if self.actor is None:
            cfg = self.cfg
            self.actor = make_actor(cfg.actor, cfg.game, self.model.cfg, cfg.search(), seed=cfg.seed,
                                    games_n=cfg.games_per_iteration, temperature=cfg.temperature,
                                    device=self.device)
        return self.actor

    def close(self) -> None:
        """Stop the self-play actor (a worker process gives its thread back to this process)."""
        if self.actor is not None:
            self.actor.close()
            self.actor = None

    def learn(self) -> dict:
        """`updates_per_iteration` learner updates; returns the mean of each loss term."""
        self.model.train()
        sums: dict[str, float] = {}
        n = min(self.cfg.updates_per_iteration, self.cfg.steps - self.updates)
        for _ in range(n):
            self._set_lr()
            batch = make_batch(self.tok, self.replay.sample(self.cfg.batch_size, self.rng), self.cfg.unroll,
                               self.cfg.max_legal, self.rng).to(self.device)
            loss, terms = unrolled_loss(self.model, batch, self.cfg.losses)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.opt.step()
            self._average()
            self.updates += 1
            for k, v in terms.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            sums["total"] = sums.get("total", 0.0) + float(loss.detach())
        self.model.eval()
        return {f"loss/{k}": v / max(1, n) for k, v in sums.items()}

    def _set_lr(self) -> None:
        """The optimizer's learning rate for the next update (cfg.lr_decay over cfg.lr_decay_steps)."""
        for group in self.opt.param_groups:
            group["lr"] = learning_rate(self.cfg, self.updates)

    @torch.no_grad()
    def _average(self) -> None:
        """Move the averaged weights toward the online ones (cfg.average)."""
        if self.average is None:
            return
        for avg, online in zip(self.average.state_dict().values(), self.model.state_dict().values()):
            if avg.is_floating_point():
                avg.lerp_(online, 1.0 - self.cfg.average)
            else:
                avg.copy_(online)

    # ----- checkpoints -----
    def save(self) -> pathlib.Path:
        """Write the whole run state to RUN_DIR/ckpt-ITERATION, then point LATEST at it (atomically)."""
        name = f"ckpt-{self.iteration:06d}"
        tmp = self.dir / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        save_model(self.player.model, tmp / "model")
        if self.average is not None:
            save_model(self.model, tmp / "online")  # what self-play and the learner continue from
        state = {"optimizer": self.opt.state_dict(), "iteration": self.iteration, "updates": self.updates,
                 "games": self.games, "rng": _py_state(self.rng.getstate()), "torch_rng": torch.get_rng_state(),
                 "player_rng": _py_state(self.player.rng.getstate()),
                 "player_generator": self.player.generator.get_state()}
        actor = self._actor().state()
        state.update(selfplay_rng=_py_state(actor["rng"]), selfplay_agent_rng=_py_state(actor["agent_rng"]),
                     selfplay_agent_generator=actor["agent_generator"])
        if self.ahead is not None:
            episodes, stats = self.ahead
            state["ahead"] = json.dumps({"episodes": [e.to_json() for e in episodes], "stats": stats})
        torch.save(state, tmp / "trainer.pt")
        self.replay.save(tmp / "replay.jsonl")
        final = self.dir / name
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
        atomic_write(self.dir / LATEST, lambda p: pathlib.Path(p).write_text(name + "\n"))
        for old in sorted(self.dir.glob("ckpt-*"))[:-2]:  # keep the newest two
            shutil.rmtree(old, ignore_errors=True)
        return final

    def write_run_files(self) -> None:
        """RUN_DIR/config.json (resolved config) and search.json (what load_agent reads)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.dir / "config.json", lambda p: pathlib.Path(p).write_text(self.cfg.to_json()))
        save_search_config(self.cfg.play_search(), self.dir)

    def load(self) -> pathlib.Path:
        """Restore the run state from the checkpoint LATEST names; clear errors for missing or corrupt files."""
        path = latest_checkpoint(self.dir)
        models = [(self.model, "model")]
        if self.average is not None:
            models = [(self.model, "online"), (self.average, "model")]
        for model, sub in models:
            model.load_state_dict(load_model(path / sub, expect_game=model.spec, expect_config=model.cfg,
                                             device=self.device).state_dict())
        try:
            state = torch.load(path / "trainer.pt", map_location="cpu", weights_only=True)
            self.opt.load_state_dict(state["optimizer"])
            self.iteration, self.updates, self.games = state["iteration"], state["updates"], state["games"]
            self.rng.setstate(_py_unstate(state["rng"]))
            self.player.rng.setstate(_py_unstate(state["player_rng"]))
            self.player.generator.set_state(state["player_generator"])
            torch.set_rng_state(state["torch_rng"])
            actor = {"rng": _py_unstate(state["selfplay_rng"]), "agent_rng": _py_unstate(state["selfplay_agent_rng"]),
                     "agent_generator": state["selfplay_agent_generator"]}
            self.ahead = None
            if "ahead" in state:
                ahead = json.loads(state["ahead"])
                self.ahead = [Episode.from_json(e) for e in ahead["episodes"]], ahead["stats"]
        except FileNotFoundError:
            raise FileNotFoundError(f"{path} has no trainer.pt: the checkpoint is incomplete") from None
        except (RuntimeError, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as e:
            raise ValueError(f"{path / 'trainer.pt'} is corrupt or from another version: {e}") from None
        self.replay.load(path / "replay.jsonl")
        self._actor().restore(actor)
        return path


def learning_rate(cfg: TrainConfig, update: int) -> float:
    """The learning rate of update number `update` (0-based) under cfg's schedule."""
    if cfg.lr_decay == "constant":
        return cfg.lr
    done = min(1.0, update / cfg.lr_decay_steps)
    shape = 1.0 - done if cfg.lr_decay == "linear" else 0.5 * (1.0 + math.cos(math.pi * done))
    return cfg.lr * (cfg.lr_final + (1.0 - cfg.lr_final) * shape)


def latest_checkpoint(run_dir: pathlib.Path) -> pathlib.Path:
    """The checkpoint directory RUN_DIR/LATEST names; FileNotFoundError says what is missing."""
    pointer = run_dir / LATEST
    if not pointer.exists():
        raise FileNotFoundError(f"{run_dir} has no {LATEST} file: no checkpoint to resume from")
    path = run_dir / pointer.read_text().strip()
    if not path.is_dir():
        raise FileNotFoundError(f"{pointer} names {path.name}, which does not exist")
    return path


def _py_state(state: tuple) -> list:
    """A `random.Random` state as torch.load(weights_only=True) can read it back."""
    version, internal, gauss = state
    return [version, torch.tensor(internal, dtype=torch.int64), gauss]


def _py_unstate(saved: list) -> tuple:
    """`_py_state`'s inverse."""
    version, internal, gauss = saved
    return version, tuple(int(x) for x in internal.tolist()), gauss
