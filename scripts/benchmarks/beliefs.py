"""Measures belief sampling at a search root: milliseconds per world for P worlds at once, and how it is drawn
(possible worlds by the belief walk, or b's free samples where the walk does not apply yet)."""
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


def measure(name: str, particles: int, *, roots: int = 5, preset_name: str = "small", device: str = "cpu",
            seed: int = 0) -> dict:
    """Mean milliseconds per world over `roots` random decision points of `name` (an untrained model: the cost
    of a draw, not its quality), each sampling `particles` worlds at once."""
    torch.manual_seed(seed)
    adapter = games.load(name)
    model = Model(preset(preset_name), GameSpec.of(adapter)).to(device)
    agent = Agent(adapter, model, seed=seed)
    rng, per_world, how = random.Random(seed), [], "walk"
    for state in _decisions(adapter, roots, rng):
        player = state.current_player()
        began = time.perf_counter()
        if adapter.belief_walk:
            agent.sample_worlds(state, particles, player)
        else:
            how = "free"
            sample_hidden(model, [agent.tok.encode_observation(state, player)], particles,
                          max_len=agent.hidden_cap, generator=agent.generator)
        per_world.append(1e3 * (time.perf_counter() - began) / particles)
    return {"game": name, "particles": particles, "ms_per_world": statistics.mean(per_world), "how": how}


def _decisions(adapter, n: int, rng: random.Random) -> list:
    """`n` decision points from different random games, one at random in each."""
    return [rng.choice(trace(adapter, play_random(adapter, rng)).states[:-1]) for _ in range(n)]
