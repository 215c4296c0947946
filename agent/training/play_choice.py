"""The published agent's play search, chosen by measurement where a run can compute exploitability.

How far the play search should step from the learned prior differs by game and by run (docs/results.md has
checkpoints where the prior alone was best and others where a Gumbel step was). So at the end of a run on a game
small enough for an exact best response, each candidate below is measured, the lowest two again with another
search seed, and the one whose worse draw is lower is published. Some candidates measure alike with every seed
and others spread widely; the lower mean of two draws favours the spread ones by luck (a kuhn run published a
candidate whose draws were 0.10 and 0.087, over one at 0.094 twice, and measured 0.10 afresh), while the lower
worse draw keeps the one that is low with any seed. The figure the run reports afterwards is a fresh
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
CONFIRM = 2  # the candidates measured lowest that get a second search seed; the lower worse draw is published


def choose_play_search(agent: Agent, seed: int, progress: str | None = None) -> tuple[str, SearchConfig,
                                                                                     dict[str, float]]:
    """(name, settings, {name: exploitability}) for the published play search: every candidate measured with an
    agent seeded `seed + i` (candidate i), the `CONFIRM` lowest measured again seeded `seed + len(CANDIDATES) + i`
    (their figure is then the worse of their two draws), and the lowest of those published (ties go to the
    earlier candidate): one draw alone can be lucky. `progress`, if given, describes a progress bar per
    measurement."""
    configs = {name: dataclasses.replace(agent.cfg, **fields) for name, fields in CANDIDATES.items()}

    def measure(i: int, name: str) -> float:
        return exploitability(Agent(agent.adapter, agent.model, search=configs[name], seed=seed + i),
                              progress=progress and f"{progress}: {name}")

    figures = {name: measure(i, name) for i, name in enumerate(CANDIDATES)}
    confirmed = sorted(CANDIDATES, key=figures.get)[:CONFIRM]  # a stable sort: ties keep the candidates' order
    for i, name in enumerate(CANDIDATES):
        if name in confirmed:
            figures[name] = max(figures[name], measure(len(CANDIDATES) + i, name))
    best = min((name for name in CANDIDATES if name in confirmed), key=figures.get)
    return best, configs[best], figures
