"""The "real legal actions at inner nodes" ablation: the learned search with the generator replaced by the rules.

Everything else stays learned (latents, dynamics, rewards, values, chance codes, the scorer's priors): only
the candidate actions of inner decision nodes, and so who plays there and whether the game has ended, come
from a real state carried beside each latent. A particle's real state starts as a world consistent with the
belief sampler's hidden tokens; a decision applies the real action; a learned chance code's child advances
the real state through its chance steps with outcomes drawn from the real distribution (one draw per code,
made once, when the node is created). The gap in strength between this search and the normal one is what
learned action generation costs.
"""
from __future__ import annotations

import random
from collections.abc import Hashable, Sequence

import pyspiel
import torch

from agent.search.learned import LearnedExpander
from agent.search.tree import AfterInfo, StateInfo
from games.chance import sample_chance
from tokenizer import Tokenizer


def advance_chance(state: pyspiel.State, rng: random.Random) -> pyspiel.State:
    """`state` moved through chance steps (real probabilities) to the next decision or the end."""
    state = state.clone()
    sample_chance(state, rng)
    return state


class RulesInnerExpander:
    """A LearnedExpander whose decision nodes take their candidates from real states (handles carry both)."""

    def __init__(self, learned: LearnedExpander, tok: Tokenizer, rng: random.Random):
        self.learned, self.tok, self.rng = learned, tok, rng
        self.seats = learned.seats

    def _keys(self, state: pyspiel.State) -> list[tuple[int, ...]]:
        if state.is_terminal():
            return []
        return [tuple(self.tok.encode_action(state, a)) for a in state.legal_actions()]

    def describe(self, s: torch.Tensor, states: Sequence[pyspiel.State], roots: Sequence[int],
                 reward: torch.Tensor | None = None) -> list[StateInfo]:
        """StateInfo for latents s paired with real decision (or terminal) states, seats relative to `roots`."""
        keys = [self._keys(st) for st in states]
        to_play = [(st.current_player() - r) % self.seats if k else -1 for st, r, k in zip(states, roots, keys)]
        infos = self.learned.describe(s, reward, keys=keys, to_play=to_play)
        for info, st, r in zip(infos, states, roots):
            info.handle = (info.handle, st, r)
        return infos

    def expand_afterstates(self, requests: Sequence[tuple[tuple, Hashable]]) -> list[AfterInfo]:
        """phi + psi on the latent; the real action applied to the real state."""
        infos = self.learned.expand_afterstates([(h[0], key) for h, key in requests])
        for info, ((_, state, root), key) in zip(infos, requests):
            ids = {tuple(self.tok.encode_action(state, a)): a for a in state.legal_actions()}
            info.handle = (info.handle, state.child(ids[key]), root)
        return infos

    def expand_states(self, requests: Sequence[tuple[tuple, Hashable]]) -> list[StateInfo]:
        """g on the latent; the real afterstate moved through chance to its next decision."""
        m = self.learned.model
        after = torch.stack([h[0] for h, _ in requests])
        codes = m.one_hot_code(torch.tensor([c for _, c in requests], device=self.learned.device))
        with torch.no_grad():
            s, reward = m.dynamics(after, codes)
        states = [advance_chance(h[1], self.rng) for h, _ in requests]
        return self.describe(s, states, [h[2] for h, _ in requests], reward)
