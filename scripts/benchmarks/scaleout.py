"""Measures self-play's scale-out: where the games are played (the learner's process, a worker process, 1 or 2 Ray
actors), how many games a second each gives, the learner's updates a second, and from those how many actors keep
one learner busy.

Each kind runs the recipes' self-play search (a Gumbel root, few simulations, two worlds) on an untrained tiny
model of one game, `games` games an iteration split into as many shards as actors. Figures per kind:
- start s: the seconds to start it (for Ray: starting a local Ray instance and its actors);
- games/s: self-play games per second while the learner waits (the second iteration's games, after a first
  that warms the actors up);
- iteration s: one whole training iteration, the next games played while the learner makes its updates;
- updates/s: the learner's updates per second during that iteration, beside the self-play it overlaps.

Actors per learner: a learner making U updates a second at the recipe's ratio of R updates per game consumes
U / R games a second; an actor gives A games a second; so U / (R * A) actors keep it busy.

A GPU learner, on paper (`learner_bound`): the small presets' updates are too small to keep a GPU's arithmetic
busy, so what bounds them is the work left on the CPU: building the batch, and dispatching each of the update's
tensor operations (forward, backward, optimizer) from Python, which an asynchronous GPU cannot hide. Both are
measured here on the CPU (the operations counted by torch's profiler, one operation's dispatch timed on a
one-element tensor); their sum is a lower bound on a GPU update's time, so its inverse is at most the updates
per second a GPU learner makes.
"""
from __future__ import annotations

import dataclasses
import random
import time

import torch
from torch.profiler import ProfilerActivity, profile

from agent.model.targets import make_batch
from agent.search.config import SearchConfig
from agent.training.config import TrainConfig
from agent.training.trainer import Trainer

KINDS = (("one process", "inline", 0), ("worker process", "process", 0), ("1 Ray actor", "auto", 1),
         ("2 Ray actors", "auto", 2))


def measure(game: str, preset_name: str, *, games_n: int = 16, updates: int = 48, batch: int = 64, unroll: int = 3,
            simulations: int = 16, particles: int = 2, seed: int = 0, device: str = "cpu",
            ray: bool = True) -> list[dict]:
    """One row per kind of actor (the Ray kinds only with `ray`): see the module docstring."""
    rows = []
    base = TrainConfig(game=game, preset=preset_name, seed=seed, device=device, games_per_iteration=games_n,
                       selfplay=SearchConfig(simulations=simulations, particles=particles, root="gumbel"),
                       updates_per_iteration=updates, batch_size=batch, unroll=unroll, steps=10 ** 9,
                       wandb_mode="disabled", out=None)
    for name, where, actors in KINDS:
        if actors and not ray:
            continue
        trainer = Trainer(dataclasses.replace(base, actor=where, actors=actors))
        try:
            start = time.perf_counter()
            trainer.started_actor()
            started = time.perf_counter() - start
            trainer.play()  # the first games, then the next ones started: the actors are warm once collected
            trainer.collect()
            start = time.perf_counter()
            trainer.actor.submit(trainer.model.state_dict(), trainer.iteration + 2)
            episodes, _ = trainer.actor.result()
            games_per_s = len(episodes) / (time.perf_counter() - start)
            start = time.perf_counter()
            trainer.play()
            learn_start = time.perf_counter()
            trainer.learn()
            learn_s = time.perf_counter() - learn_start
            trainer.collect()
            iteration_s = time.perf_counter() - start
        finally:
            trainer.close()
        rows.append({"game": game, "kind": name, "actors": actors, "games": games_n, "start_s": started,
                     "games_per_s": games_per_s, "iteration_s": iteration_s, "updates_per_s": updates / learn_s,
                     "updates_per_game": updates / games_n})
    return rows


def actors_to_feed(updates_per_s: float, updates_per_game: float, actor_games_per_s: float) -> float:
    """How many actors, each giving `actor_games_per_s`, keep a learner of `updates_per_s` busy (module docstring)."""
    return updates_per_s / (updates_per_game * actor_games_per_s)


def learner_bound(game: str, preset_name: str, *, batch: int = 64, unroll: int = 3, updates: int = 8,
                  seed: int = 0) -> dict:
    """On paper, the most updates a second a GPU learner makes (module docstring): the seconds to build a batch,
    the tensor operations of one update, one operation's dispatch in microseconds, and the bound they give."""
    cfg = TrainConfig(game=game, preset=preset_name, seed=seed, device="cpu", games_per_iteration=4,
                      selfplay=SearchConfig(simulations=2, particles=1, root="gumbel"), updates_per_iteration=updates,
                      batch_size=batch, unroll=unroll, steps=10 ** 9, wandb_mode="disabled", out=None, actor="inline")
    trainer = Trainer(cfg)
    try:
        trainer.play()  # replay's first games
        trainer.learn()  # warm-up
        rng = random.Random(seed)
        start = time.perf_counter()
        for _ in range(updates):
            make_batch(trainer.tok, trainer.replay.sample(batch, rng), unroll, cfg.max_legal, rng)
        batch_s = (time.perf_counter() - start) / updates
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            trainer.learn()
        ops = sum(1 for e in prof.events() if e.name.startswith("aten::") and not e.cpu_children) / updates
    finally:
        trainer.close()
    x = torch.zeros(1)
    for _ in range(1000):
        x.add_(1.0)
    start = time.perf_counter()
    for _ in range(20_000):
        x.add_(1.0)
    dispatch_us = (time.perf_counter() - start) / 20_000 * 1e6
    return {"batch_s": batch_s, "ops_per_update": ops, "dispatch_us": dispatch_us,
            "gpu_updates_per_s_at_most": 1.0 / (batch_s + ops * dispatch_us * 1e-6)}
