"""Self-play: many real games at once, every seat played by the same searching agent, chance by the real rules.

Each step advances chance in every live game, then makes one batched search over all games waiting for a
decision (`Agent.search`, lock step) and plays an action drawn from each search's policy. Episodes keep the
search policy of every decision: the policy scorer's target.

A training run splits each iteration's games into shards, each played with random streams drawn from the run's
seed, the iteration and the shard alone (`play_shard`): so whichever actor plays a shard, and however often it
is played again after a fault, it gives the same games, and a run is the same whatever plays its shards.
"""
from __future__ import annotations

import math
import random
import time

from agent.agent import Agent
from agent.episodes import Episode
from games.chance import sample_chance


def self_play(agent: Agent, games: int, rng: random.Random, *, temperature: float = 1.0,
              noise: bool = True, max_steps: int = 2000) -> tuple[list[Episode], dict]:
    """Play `games` games to the end; returns the episodes and search statistics.

    Actions are drawn from the search policy raised to 1/temperature (0: the most visited action).
    """
    adapter = agent.adapter
    states = [adapter.new_initial_state() for _ in range(games)]
    policies: list[list[dict[int, float]]] = [[] for _ in range(games)]
    decisions, entropy, top_share = 0, 0.0, 0.0
    for _ in range(max_steps):
        for s in states:
            sample_chance(s, rng)
        live = [i for i, s in enumerate(states) if not s.is_terminal()]
        if not live:
            break
        results = agent.search([states[i] for i in live], noise=noise)
        for i, (res, _) in zip(live, results):
            actions = agent.root_actions(states[i], res)
            policy = {a: p for a, p in zip(actions, res.policy)}
            action = _draw(policy, temperature, rng)
            policies[i].append(policy)
            states[i].apply_action(action)
            decisions += 1
            entropy -= sum(p * math.log(p) for p in res.policy if p > 0)
            top_share += max(res.visits) / max(1, sum(res.visits))
    else:
        raise RuntimeError(f"self-play of {adapter.name} did not end within {max_steps} steps")
    episodes = [Episode(list(s.history()), pol) for s, pol in zip(states, policies)]
    stats = {"games": games, "decisions": decisions,
             "decisions_per_game": decisions / games,
             "policy_entropy": entropy / max(1, decisions),
             "top_visit_share": top_share / max(1, decisions),
             "mean_return_seat0": sum(s.returns()[0] for s in states) / games}
    return episodes, stats


def shard_sizes(games: int, shards: int) -> list[int]:
    """How many of an iteration's `games` each of its `shards` plays (as even as can be, the first ones larger)."""
    if not 1 <= shards <= games:
        raise ValueError(f"shards must be between 1 and the games per iteration ({games}), got {shards}")
    return [games // shards + (j < games % shards) for j in range(shards)]


def shard_seed(seed: int, batch: int, shard: int) -> int:
    """The seed of shard `shard` of the games that enter replay at iteration `batch`, in a run seeded `seed`."""
    return random.Random(f"self-play {seed} {batch} {shard}").getrandbits(63)


def play_shard(agent: Agent, games: int, seed: int, *, temperature: float = 1.0) -> tuple[list[Episode], dict]:
    """`self_play` of `games` games with every random stream (chance, the drawn actions, the search's own draws)
    started from `seed`, so the games depend on the weights and `seed` only; adds `seconds`, the time it took."""
    began = time.perf_counter()
    agent.rng.seed(seed)
    agent.generator.manual_seed(seed)
    episodes, stats = self_play(agent, games, random.Random(seed + 1), temperature=temperature)
    return episodes, stats | {"seconds": time.perf_counter() - began}


def merge_shards(results: list[tuple[list[Episode], dict]], seconds: float) -> tuple[list[Episode], dict]:
    """The shards' games in shard order and their statistics pooled over all of them; `seconds` is the time
    the games took (the shards' sum in one process, the busiest actor's share across several)."""
    episodes = [e for eps, _ in results for e in eps]
    games = sum(s["games"] for _, s in results)
    decisions = sum(s["decisions"] for _, s in results)
    per_decision = {k: sum(s[k] * s["decisions"] for _, s in results) / max(1, decisions)
                    for k in ("policy_entropy", "top_visit_share")}
    stats = {"games": games, "decisions": decisions, "decisions_per_game": decisions / max(1, games), **per_decision,
             "mean_return_seat0": sum(s["mean_return_seat0"] * s["games"] for _, s in results) / max(1, games),
             "seconds": seconds}
    return episodes, stats


def _draw(policy: dict[int, float], temperature: float, rng: random.Random) -> int:
    """An action from `policy` sharpened by 1/temperature; the most probable one at temperature 0."""
    actions = list(policy)
    if temperature <= 0:
        return max(actions, key=lambda a: policy[a])
    weights = [policy[a] ** (1.0 / temperature) for a in actions]
    if sum(weights) <= 0:
        return rng.choice(actions)
    return rng.choices(actions, weights)[0]
