"""Measures, per game, what one self-play step and one learner update cost, beside the length of the history.

The states are real decision points of random games, spread over whole games, so late positions with long
histories weigh as they do in self-play. The model is an untrained preset; the search is the one the recipes
self-play with (a Gumbel root, few simulations, two worlds), so a row reads as "what a recipe's self-play and
learner get on this machine". Figures:
- tokens: the full state's token count (observation, `<sep>`, hidden), what the tokenizer writes;
- read: the tokens the representation h reads of it (fewer where the game's window bounds the history);
- h ms: milliseconds of h per state, 64 states at once, the fastest of three calls (the network cost that grows
  with the history);
- steps/s: decisions searched per second, `games` states at once with noise on, as self-play searches;
- worlds: the share of that time spent drawing the root's possible worlds (b and the belief walk);
- updates/s: learner updates per second on replayed random games;
- decisions/game: decisions in a uniform random game (a learned game's length differs, bridge's most: random
  bidding often passes the deal out);
- games/48 updates: self-play games an actor plays while the learner makes the long recipes' updates of an
  iteration (`LONG_UPDATES`; the recipes' games per iteration follow it, so neither side waits on the other).
"""
from __future__ import annotations

import random
import time

import torch

import games
from agent.agent import Agent
from agent.episodes import full_tokens, play_random, trace
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.tokens import pad_rows
from agent.search.config import SearchConfig
from agent.training.recipes import LONG_UPDATES


class _TimedAgent(Agent):
    """An agent that adds up the seconds spent drawing its roots' worlds."""

    world_s = 0.0

    def _root_hidden(self, states, obs, P):
        start = time.perf_counter()
        try:
            return super()._root_hidden(states, obs, P)
        finally:
            self.world_s += time.perf_counter() - start


def decision_states(adapter, n: int, rng: random.Random) -> tuple[list, float]:
    """`n` decision states of random games, about four per game, spread over each game's length; and the mean
    number of decisions in those games."""
    out, decisions = [], []
    while len(out) < n:
        tr = trace(adapter, play_random(adapter, rng))
        decisions.append(tr.decisions)
        out += [tr.states[t] for t in sorted(rng.sample(range(tr.decisions), min(4, tr.decisions)))]
    return out[:n], sum(decisions) / len(decisions)


def measure(game: str, preset_name: str = "tiny", *, games_n: int = 16, batches: int = 2, simulations: int = 16,
            particles: int = 2, updates: int = 4, batch: int = 64, unroll: int = 3, seed: int = 0,
            device: str = "cpu", model_fields: dict | None = None) -> dict:
    """One row of the self-play table for `game` (see the module docstring for the figures); `model_fields` over
    the preset, as `scripts.train --model` gives them."""
    model_fields = dict(model_fields or {})
    from agent.training.config import TrainConfig
    from agent.training.trainer import Trainer

    adapter = games.load(game)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    model = Model(preset(preset_name, **model_fields), GameSpec.of(adapter)).to(device).eval()
    states, per_game = decision_states(adapter, max(64, games_n * batches), rng)
    tok = Agent(adapter, model).tok
    rows = [full_tokens(tok, s, s.current_player()) for s in states[:64]]
    ids = pad_rows(rows, device=device)
    with torch.no_grad():
        model.represent(ids)  # warm-up
        calls = []
        for _ in range(3):  # the fastest of three: one call is easily slowed by whatever else runs
            start = time.perf_counter()
            model.represent(ids)
            calls.append(time.perf_counter() - start)
        h_ms = min(calls) * 1000 / len(rows)
    read = model.read_lengths(ids).tolist()

    search = SearchConfig(root="gumbel", simulations=simulations, particles=particles)
    agent = _TimedAgent(adapter, model, search=search, seed=seed)
    agent.search(states[:games_n], noise=True)  # warm-up
    agent.world_s = 0.0
    start = time.perf_counter()
    for i in range(batches):
        agent.search(states[i * games_n:(i + 1) * games_n], noise=True)
    search_s = time.perf_counter() - start

    cfg = TrainConfig(game=game, preset=preset_name, seed=seed, device=device, batch_size=batch, unroll=unroll,
                      updates_per_iteration=updates, steps=10 ** 9, wandb_mode="disabled", out=None, actor="inline",
                      model=model_fields)
    trainer = Trainer(cfg)
    try:
        trainer.replay.add([play_random(adapter, rng) for _ in range(16)], 1)
        trainer.learn()  # warm-up (also of the tokenizer's stream cache)
        start = time.perf_counter()
        trainer.learn()
        learn_s = time.perf_counter() - start
    finally:
        trainer.close()
    return {"game": game, "preset": preset_name, "tokens": sum(map(len, rows)) / len(rows),
            "tokens_max": max(map(len, rows)), "read": sum(read) / len(read), "h_ms": h_ms,
            "game_steps_per_s": games_n * batches / search_s, "world_share": agent.world_s / search_s,
            "updates_per_s": updates / learn_s, "decisions_per_game": per_game,
            "games_per_48_updates": LONG_UPDATES * learn_s / updates * games_n * batches / search_s / per_game,
            "batch": batch, "unroll": unroll, "simulations": simulations, "particles": particles, "games": games_n}
