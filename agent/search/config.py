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
    """Root rule (agent.search.roots): PUCT, Gumbel top-m with sequential halving, or an MMD step on evened Q."""
    dirichlet_alpha: float = 0.3
    """Dirichlet noise concentration at a PUCT root with noise on (self-play)."""
    dirichlet_fraction: float = 0.25
    """Share of the root prior replaced by Dirichlet noise when noise is on."""
    gumbel_actions: int = 16
    """m, the most root actions Gumbel's sequential halving considers."""
    gumbel_c_visit: float = 50.0
    """Gumbel MuZero's c_visit in sigma(q) = (c_visit + max N) * c_scale * q."""
    gumbel_c_scale: float = 1.0
    """Gumbel MuZero's c_scale: how far the policy leans from the prior to the searched Q (0: the prior)."""
    mmd_eta: float = 1.0
    """MMD root: step size on Q, in the game's return units (agent.model.config.return_scale)."""
    mmd_alpha: float = 0.05
    """MMD root: pull towards the uniform magnet, an entropy bonus (0: plain mirror descent)."""
    chance: Literal["quota", "sample"] = "quota"
    """Chance-node selection: argmax p(c) / (N(c) + 1) (Stochastic MuZero's quota), or sample c from p."""
    inner_play: Literal["puct", "prior_others", "prior"] = "puct"
    """Below the root: PUCT on each player's value, or the others (or all) drawn from the policy prior."""
    repeats: int = 1
    """Independent searches pooled per decision: their mean policy is less noisy; costs repeats x the search."""
    max_depth: int = 64
    """Deepest path a simulation may descend (a guard against models that never predict an end)."""
    max_hidden_tokens: int = 512
    """Longest hidden remainder b may write for one world (also capped by what random games show)."""

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
