"""`TrainConfig`: every option of a training run, saved as RUN_DIR/config.json; the command line is made from it."""
from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import Literal

from agent.model.losses import LossConfig
from agent.search.config import SearchConfig
from agent.training.actor import Where
from agent.training.replay import Weighting


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
    whichever play search of agent.training.play_choice.CANDIDATES (the prior alone, Gumbel steps 0.01 to 0.1, PUCT)
    measures lowest on the final model, instead of the one set above (which the in-run evaluations use)."""
    play_particles: int = 8
    """Belief particles of the published agent's search (more worlds, a less noisy policy)."""
    play_simulations: int = 32
    """Simulations of the published agent's search."""
    play_repeats: int = 4
    """Independent searches the published agent pools per decision (agent.search.config.SearchConfig.repeats: their
    mean policy is less exploitable and far less noisy than one search's). The in-run evaluations search once
    (progress figures; pooling costs `play_repeats` times as much)."""
    inner_play: Literal["puct", "prior_others", "prior"] = "puct"
    """How players choose below the root: PUCT on their own values, or the others (or everyone) drawn from
    the policy prior (see agent.search.config.SearchConfig.inner_play)."""
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
    """Weights of the loss terms (agent.model.losses.LossConfig), e.g. --losses.generator 2 (a config.json without
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

    def resolved(self) -> TrainConfig:
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
    def from_json(cls, text: str, source: str = "config") -> TrainConfig:
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
