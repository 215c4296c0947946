"""The training run: self-play, replay, learner, evaluation and checkpoints, one iteration at a time.

An iteration adds `games_per_iteration` whole self-play games (batched search, noise on) to replay, hands the
actor (`agent.training.actor`) the current weights to play the next iteration's games with, makes
`updates_per_iteration` learner updates on K-step unroll targets meanwhile, then collects those games. So
self-play runs one iteration behind the learner, on a core of its own where there are two. Value targets are
Monte-Carlo returns: card-game episodes are short and end with the score, so there is nothing to bootstrap and
no target network to keep. Checkpoints fall between iterations, after the next games are collected, so a
checkpoint holds the whole state of the run (model, optimizer, counters, every RNG, replay, the games played
ahead) and a resumed run continues exactly as an uninterrupted one would. Self-play's random streams come from
the seed and the iteration, so the same run comes out whatever plays its shards (`--actors`).
"""
from __future__ import annotations

import copy
import math
import pathlib
import random
import time

import torch

import games
from agent.agent import Agent
from agent.device import pick_device
from agent.episodes import Episode
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.losses import unrolled_loss
from agent.model.targets import make_batch
from agent.rundir import RunDir, write_text
from agent.search.config import SearchConfig
from agent.training.actor import make_actor
from agent.training.checkpoint import read_state, write_state
from agent.training.config import TrainConfig
from agent.training.replay import Replay
from tokenizer.tokenizer import Tokenizer


class Trainer:
    """The state of one run and the loop that advances it."""

    def __init__(self, cfg: TrainConfig):
        self.cfg = cfg = cfg.resolved()
        self.dir = pathlib.Path(cfg.out)
        self.run = RunDir(self.dir)
        self.device = pick_device(cfg.device)
        self.adapter = games.load(cfg.game, **cfg.game_params)
        torch.manual_seed(cfg.seed)
        self.model = Model(preset(cfg.preset, **cfg.model), GameSpec.of(self.adapter)).to(self.device)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.replay = Replay(self.adapter, cfg.replay_capacity, cfg.replay_weighting)
        self.rng = random.Random(cfg.seed)  # the learner's draws from replay
        self.tok = Tokenizer.for_game(self.adapter)
        self.actor = None  # plays self-play (agent.training.actor); started by the first `play`
        self.ahead: tuple[list[Episode], dict] | None = None  # the next iteration's games, once collected
        self.average = None  # the Polyak-averaged model, when cfg.average > 0
        if cfg.average > 0:
            self.average = copy.deepcopy(self.model).eval()
        # the agent the run publishes (evaluated, checkpointed as model/): the averaged weights if any, the play search
        model = self.average if self.average is not None else self.model
        self.agent = Agent(self.adapter, model, search=cfg.play, seed=cfg.seed + 2)
        self.iteration = self.updates = self.games = 0
        self.trained_s = 0.0  # seconds of training over all of the run's sessions: --minutes counts them all

    # ----- one iteration -----
    def iterate(self) -> dict:
        """One iteration: this iteration's games into replay (the next ones started), the learner's updates,
        the next games collected; returns its record (counters, self-play statistics, losses, timings)."""
        before = self.updates
        stats = self.play()
        play_s = stats.pop("seconds")
        began = time.perf_counter()
        losses = self.learn()
        learn_s = time.perf_counter() - began
        waited = self.collect()
        self.iteration += 1
        return {"iteration": self.iteration, "updates": self.updates, "games": self.games,
                **{f"selfplay/{k}": v for k, v in stats.items()}, **losses,
                "time/selfplay_s": play_s, "time/learn_s": learn_s, "time/wait_s": waited,
                "selfplay/game_steps_per_s": stats["decisions"] / max(play_s, 1e-9),
                "learn/updates_per_s": (self.updates - before) / max(learn_s, 1e-9),
                "learn/lr": learning_rate(self.cfg, max(self.updates - 1, 0))}

    def play(self) -> dict:
        """Add this iteration's games to replay (played ahead with the weights before the last learning; on a
        run's first iteration, now) and start the next iteration's with the current weights; returns the added
        games' self-play statistics (`seconds`: the time the actor spent playing them)."""
        actor = self.started_actor()
        if self.ahead is None:  # the first iteration: nothing was played ahead
            actor.submit(self.model.state_dict(), self.iteration + 1)
            self.ahead = actor.result()
        (episodes, stats), self.ahead = self.ahead, None
        self.replay.add(episodes, self.iteration + 1)  # the iteration these games belong to
        self.games += len(episodes)
        actor.submit(self.model.state_dict(), self.iteration + 2)  # the next iteration's
        return stats

    def collect(self) -> float:
        """Wait for the games `play` started (the next iteration's); returns the seconds waited."""
        began = time.perf_counter()
        self.ahead = self.started_actor().result()
        return time.perf_counter() - began

    def started_actor(self):
        """The self-play actor, started on first use."""
        if self.actor is None:
            cfg = self.cfg
            self.actor = make_actor(cfg.actor, cfg.game, self.model.cfg, cfg.selfplay, actors=cfg.actors,
                                    ray_address=cfg.ray_address, seed=cfg.seed, games_n=cfg.games_per_iteration,
                                    shards=cfg.shards, temperature=cfg.temperature, device=self.device,
                                    game_params=cfg.game_params)
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
                               self.cfg.max_legal, self.rng,
                               next_roots=self.cfg.losses.consistency > 0,
                               outcomes=self.model.reads_outcomes).to(self.device)
            loss, terms = unrolled_loss(self.model, batch, self.cfg.losses,
                                         generator_actions=self.cfg.generator_actions)
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
        """Write the whole run state as the checkpoint of this iteration (agent.rundir)."""
        return self.run.write_checkpoint(self.iteration, lambda directory: write_state(self, directory))

    def write_run_files(self) -> None:
        """RUN_DIR/config.json (the resolved config) and search.json (what load_agent reads)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        write_text(self.run.config, self.cfg.to_json())
        self.run.write_search(self.cfg.play)

    def publish(self, search: SearchConfig) -> None:
        """Make `search` the published agent's search: the player's, and search.json's."""
        self.agent.cfg = search
        self.run.write_search(search)

    def load(self, path: pathlib.Path | None = None) -> pathlib.Path:
        """Restore the run state from the checkpoint `path` (default: the newest that verifies, RunDir.checkpoint);
        clear errors for missing or corrupt files."""
        path = path or self.run.checkpoint()
        read_state(self, path)
        return path


def learning_rate(cfg: TrainConfig, update: int) -> float:
    """The learning rate of update number `update` (0-based) under cfg's schedule."""
    if cfg.lr_decay == "constant":
        return cfg.lr
    done = min(1.0, update / cfg.lr_decay_steps)
    shape = 1.0 - done if cfg.lr_decay == "linear" else 0.5 * (1.0 + math.cos(math.pi * done))
    return cfg.lr * (cfg.lr_final + (1.0 - cfg.lr_final) * shape)
