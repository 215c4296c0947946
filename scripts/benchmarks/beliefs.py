"""Measures belief sampling at a search root: milliseconds per world for P worlds at once, drawn three ways at the
same decision points: possible worlds by the belief walk with b choosing (what the search uses), the walk alone
with uniformly chosen words (its own cost, no network), and b's free samples (the search before the walk)."""
from __future__ import annotations

import random
import statistics
import time

import torch

import games
from agent.agent import Agent
from agent.episodes import play_random, trace
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.sampling import sample_hidden
from games.belief import Walk, fill_uniformly


def measure(name: str, particles: int, *, roots: int = 5, preset_name: str = "small", device: str = "cpu",
            seed: int = 0) -> dict:
    """Mean milliseconds per world over `roots` random decision points of `name` (an untrained model: the cost
    of a draw, not its quality), each sampling `particles` worlds at once, three ways (module docstring)."""
    torch.manual_seed(seed)
    adapter = games.load(name)
    model = Model(preset(preset_name), GameSpec.of(adapter)).to(device)
    agent = Agent(adapter, model, seed=seed)
    rng = random.Random(seed)
    ways = {
        "walk_ms": lambda state, player: agent.sample_worlds(state, particles, player),
        "walk_alone_ms": lambda state, player: [fill_uniformly(Walk(adapter, state, player), rng).world()
                                                for _ in range(particles)],
        "free_ms": lambda state, player: sample_hidden(model, [agent.tok.encode_observation(state, player)],
                                                       particles, max_len=agent.hidden_cap,
                                                       generator=agent.generator),
    }
    per_world = {way: [] for way in ways}
    for state in _decisions(adapter, roots, rng):
        player = state.current_player()
        for way, draw in ways.items():
            began = time.perf_counter()
            draw(state, player)
            per_world[way].append(1e3 * (time.perf_counter() - began) / particles)
    return {"game": name, "particles": particles, **{w: statistics.mean(v) for w, v in per_world.items()}}


def _decisions(adapter, n: int, rng: random.Random) -> list:
    """`n` decision points from different random games, one at random in each."""
    return [rng.choice(trace(adapter, play_random(adapter, rng)).states[:-1]) for _ in range(n)]
