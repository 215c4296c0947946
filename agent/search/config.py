"""`SearchConfig`: how a search spends its simulations (particles, root rule, exploration, noise)."""
from __future__ import annotations

import dataclasses
import math
from typing import Literal


@dataclasses.dataclass(frozen=True)
class SearchConfig:
    """How the search spends its simulations."""

    simulations: int = 64
    """Simulations per search (one move), shared by all particles."""
    particles: int = 4
    """P, belief particles (sampled worlds) pooled at the root."""
    c_puct: float = 1.25
    """Exploration weight of PUCT at decision nodes."""
    root: Literal["puct", "gumbel", "mmd"] = "puct"
    """Root selection: PUCT (optionally with Dirichlet noise), Gumbel top-m with sequential halving, or 'mmd':
    every root action searched equally in every particle, the policy a magnetic mirror descent step from the
    prior on the searched Q (Sokota et al. 2023, whose last iterate converges in two-player zero-sum games)."""
    dirichlet_alpha: float = 0.3
    """Dirichlet noise concentration for self-play with the PUCT root."""
    dirichlet_fraction: float = 0.25
    """Share of the root prior replaced by Dirichlet noise when noise is asked for."""
    gumbel_actions: int = 16
    """m, the most root actions Gumbel sequential halving considers."""
    gumbel_c_visit: float = 50.0
    """Gumbel MuZero's c_visit in sigma(q) = (c_visit + max N) * c_scale * q."""
    gumbel_c_scale: float = 1.0
    """Gumbel MuZero's c_scale."""
    mmd_eta: float = 1.0
    """MMD root: step size on Q measured in units of the game's largest absolute return."""
    mmd_alpha: float = 0.05
    """MMD root: strength of the magnet (the uniform policy) the step is drawn towards, an entropy bonus."""
    chance: Literal["quota", "sample"] = "quota"
    """Chance-node selection: argmax p(c)/(N(c)+1), or sample c from p."""
    inner_play: Literal["puct", "prior_others", "prior"] = "puct"
    """Below the root: every player picks by PUCT on its own value ('puct'); the other players draw their
    actions from the prior ('prior_others': the root player best-responds to the policy network's model of
    them, who cannot exploit the sampled world's hidden cards); or everyone does ('prior')."""
    repeats: int = 1
    """Independent searches per decision (worlds, trees and noise of their own, in one batch), pooled by
    `pool`: the policy is their mean. A search's policy is one noisy draw; the mean of a few is less
    exploitable (leduc, two trained models: PUCT 0.625 -> 0.554 and 0.622 -> 0.580, Gumbel c 0.1 0.593 -> 0.540
    for single searches against the mean of 4; 8 no better than 4). Costs `repeats` times the search."""
    max_depth: int = 64
    """Deepest path a simulation may descend (a guard against models that never predict an end)."""
    max_hidden_tokens: int = 512
    """Longest hidden remainder the belief sampler may write for one world (the agent also caps it at 1.5x the
    longest seen in random games of the game)."""

    def __post_init__(self):
        if self.simulations < 1 or self.particles < 1 or self.repeats < 1:
            raise ValueError(f"simulations, particles and repeats must be >= 1, got {self.simulations}, "
                             f"{self.particles}, {self.repeats}")
        if self.root not in ("puct", "gumbel", "mmd") or self.chance not in ("quota", "sample"):
            raise ValueError(f"root must be 'puct', 'gumbel' or 'mmd' and chance 'quota' or 'sample', "
                             f"got {self.root!r}, {self.chance!r}")
        if self.inner_play not in ("puct", "prior_others", "prior"):
            raise ValueError(f"inner_play must be 'puct', 'prior_others' or 'prior', got {self.inner_play!r}")
        if not 0 <= self.gumbel_c_scale < math.inf:
            raise ValueError(f"gumbel_c_scale must be a finite number >= 0, got {self.gumbel_c_scale}")
        if self.mmd_eta < 0 or self.mmd_alpha < 0:
            raise ValueError(f"mmd_eta and mmd_alpha must be >= 0, got {self.mmd_eta}, {self.mmd_alpha}")
