"""The published agent's play search, chosen by measurement where a run can compute exploitability.

How far the play search should step from the learned prior differs by game and by run (docs/results.md has
checkpoints where the prior alone was best and others where a Gumbel step was). So at the end of a run on a game
small enough for an exact best response, each candidate below is measured with two search seeds, and the one
whose worse draw is lowest is published. Some candidates measure alike with every seed and others spread
widely; a choice by one draw, or by the mean of two, favours the spread ones by luck (docs/results.md, kuhn_poker:
a default run published a noisy Gumbel step over a steadier prior that way), while the lowest worse draw keeps
the one that is low with any seed. The figure the run reports afterwards is a fresh
measurement with another seed, because the minimum of noisy measurements is biased low.
"""
from __future__ import annotations

import dataclasses

from agent.agent import Agent
from agent.evaluation.exploitability import exploitability
from agent.search.config import SearchConfig

CANDIDATES: dict[str, dict] = {  # name -> SearchConfig fields over the run's play search
    "prior": {"root": "gumbel", "gumbel_c_scale": 0.0, "simulations": 1},  # the learned average policy itself
    # (Gumbel's policy at c_scale 0 is the particles' mean prior whatever the simulations: one is enough)
    "gumbel c 0.01": {"root": "gumbel", "gumbel_c_scale": 0.01},
    "gumbel c 0.03": {"root": "gumbel", "gumbel_c_scale": 0.03},
    "gumbel c 0.1": {"root": "gumbel", "gumbel_c_scale": 0.1},
    "puct": {"root": "puct"},  # visit shares
}
DRAWS = 2  # search seeds per candidate; the candidate whose worse draw is lowest is published


def choose_play_search(agent: Agent, seed: int, progress: str | None = None) -> tuple[str, SearchConfig,
                                                                                     dict[str, float]]:
    """(name, settings, {name: its worse draw}) for the published play search: candidate i measured by agents
    seeded `seed + i + d * len(CANDIDATES)` for each draw d < DRAWS, and the one whose worse draw is lowest
    published (ties go to the earlier candidate): one draw alone can be lucky. `progress`, if given, describes a
    progress bar per measurement."""
    configs = {name: dataclasses.replace(agent.cfg, **fields) for name, fields in CANDIDATES.items()}

    def measure(i: int, name: str) -> float:
        return exploitability(Agent(agent.adapter, agent.model, search=configs[name], seed=seed + i),
                              progress=progress and f"{progress}: {name}")

    n = len(CANDIDATES)
    figures = {name: max(measure(i + d * n, name) for d in range(DRAWS)) for i, name in enumerate(CANDIDATES)}
    best = min(CANDIDATES, key=figures.get)
    return best, configs[best], figures
