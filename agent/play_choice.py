"""The published agent's play search, chosen by measurement where a run can compute exploitability.

How far the play search should step from the learned prior differs by game and by run: on one kuhn_poker
checkpoint the prior alone is exploitable by 0.069 and Gumbel's step at c_scale 0.1 by 0.129, while on a
leduc_poker one the prior gives 1.14 and c_scale 0.1 gives 0.70. So at the end of a run on a game small enough
for an exact best response, each candidate below is measured with `REPEATS` search seeds and the lowest mean is
published; the figure the run reports afterwards is a fresh measurement with another seed (the minimum of noisy
measurements is biased low: on one kuhn checkpoint, c_scale 0.03 measured 0.068 once and 0.110 afresh, while
the prior alone gives 0.069-0.070 under any seed). One seed per candidate suffices when the play search pools
several searches (`SearchConfig.repeats`): on one leduc checkpoint PUCT measured 0.745 and 0.583 with one
search per decision under two seeds, 0.527 and 0.523 with the mean of four.
"""
from __future__ import annotations

import dataclasses

from agent.agent import Agent
from agent.policy import exploitability
from agent.search import SearchConfig

CANDIDATES: dict[str, dict] = {  # name -> SearchConfig fields over the run's play search
    "prior": {"root": "gumbel", "gumbel_c_scale": 0.0, "simulations": 1},  # the learned average policy itself
    # (Gumbel's policy at c_scale 0 is the particles' mean prior whatever the simulations: one is enough)
    "gumbel c 0.01": {"root": "gumbel", "gumbel_c_scale": 0.01},
    "gumbel c 0.03": {"root": "gumbel", "gumbel_c_scale": 0.03},
    "gumbel c 0.1": {"root": "gumbel", "gumbel_c_scale": 0.1},
    "puct": {"root": "puct"},  # visit shares
}
REPEATS = 1  # search seeds per candidate (their mean decides); the run's play search pools 4 searches itself


def choose_play_search(agent: Agent, seed: int) -> tuple[str, SearchConfig, dict[str, float]]:
    """(name, settings, {name: mean exploitability}) for the candidate play search with the lowest mean
    exploitability of `agent`'s model over `REPEATS` agents seeded `seed + REPEATS * i + r` for candidate i
    (ties go to the earlier candidate)."""
    figures, configs = {}, {}
    for i, (name, fields) in enumerate(CANDIDATES.items()):
        configs[name] = dataclasses.replace(agent.cfg, **fields)
        figures[name] = sum(exploitability(Agent(agent.adapter, agent.model, search=configs[name],
                                                 seed=seed + REPEATS * i + r)) for r in range(REPEATS)) / REPEATS
    best = min(figures, key=figures.get)
    return best, configs[best], figures
