"""The real rules as the search's expander: the ablation "what if the search had the rules", and a way to test
the search on its own.

Handles are (real OpenSpiel state, root player). Keys are real action ids; chance outcomes are the real
ones with their real probabilities. A chance node that follows another chance step (a deal of several
cards) becomes a decision node where no one chooses (player -1) with the single key `CHANCE`, so the tree
keeps its decision / chance alternation. Values come from a value function: random rollouts under the real
rules, or the learned network read on the real state.
"""
from __future__ import annotations

import random
from collections.abc import Hashable, Sequence
from typing import Protocol

import pyspiel
import torch

from agent.episodes import full_tokens
from agent.model import Model
from agent.model.tokens import pad_rows
from agent.search.tree import AfterInfo, StateInfo
from games.chance import sample_chance
from tokenizer import Tokenizer

CHANCE = "chance"  # the one key of a node where chance, not a player, moves next


def relative(values: Sequence[float], root: int) -> list[float]:
    """Absolute per-player values -> seats relative to `root` (seat 0 = root)."""
    n = len(values)
    return [float(values[(root + j) % n]) for j in range(n)]


class ValueFunction(Protocol):
    """Future return per seat (relative to each root player) of real states, in a batch."""

    def __call__(self, states: Sequence[pyspiel.State], roots: Sequence[int]) -> list[list[float]]:
        ...


class RolloutValue:
    """Mean future return of `rollouts` uniformly random playouts under the real rules."""

    def __init__(self, rng: random.Random, rollouts: int = 1):
        self.rng, self.rollouts = rng, rollouts

    def __call__(self, states, roots):
        out = []
        for state, root in zip(states, roots):
            start = relative(state.returns(), root)
            total = [0.0] * len(start)
            for _ in range(self.rollouts):
                s = state.clone()
                sample_chance(s, self.rng)
                while not s.is_terminal():
                    s.apply_action(self.rng.choice(s.legal_actions()))
                    sample_chance(s, self.rng)
                end = relative(s.returns(), root)
                total = [t + e - b for t, e, b in zip(total, end, start)]
            out.append([t / self.rollouts for t in total])
        return out


class NetworkValue:
    """The learned f read on the real full state (h then f), as h was trained: from the seat of the player to
    move (the root player's seat at chance nodes); the values are then turned to seats relative to the root."""

    def __init__(self, model: Model, tok: Tokenizer):
        self.model, self.tok = model, tok
        self.device = next(model.parameters()).device

    @torch.no_grad()
    def __call__(self, states, roots):
        readers = [s.current_player() if s.current_player() >= 0 else r for s, r in zip(states, roots)]
        rows = [full_tokens(self.tok, s, p) for s, p in zip(states, readers)]
        ids = pad_rows(rows, device=self.device)
        values = self.model.predict(self.model.represent(ids)).value.tolist()
        n = len(values[0]) if values else 0
        return [[v[(root + j - reader) % n] for j in range(n)] for v, root, reader in zip(values, roots, readers)]


class OracleExpander:
    """Expands search leaves with the real game: real legal actions, real chance, real transitions."""

    def __init__(self, value: ValueFunction):
        self.value = value

    def _values(self, states, roots) -> list[list[float]]:
        live = [i for i, s in enumerate(states) if not s.is_terminal()]
        out = [[0.0] * len(states[0].returns()) for _ in states] if states else []
        if live:
            for i, v in zip(live, self.value([states[i] for i in live], [roots[i] for i in live])):
                out[i] = v
        return out

    def expand_afterstates(self, requests: Sequence[tuple[tuple, Hashable]]) -> list[AfterInfo]:
        """Apply each action (or nothing, for `CHANCE`); the afterstate's outcomes are the real chance ones."""
        states, roots, rewards, outcomes = [], [], [], []
        for (state, root), key in requests:
            after = state if key == CHANCE else state.child(key)
            states.append(after)
            roots.append(root)
            rewards.append([b - a for a, b in zip(relative(state.returns(), root), relative(after.returns(), root))])
            outcomes.append(after.chance_outcomes() if after.is_chance_node() else [(None, 1.0)])
        values = self._values(states, roots)
        return [AfterInfo((s, r), rw, v, o) for s, r, rw, v, o in zip(states, roots, rewards, values, outcomes)]

    def expand_states(self, requests: Sequence[tuple[tuple, Hashable]]) -> list[StateInfo]:
        """Apply each chance outcome (or nothing after a deterministic action)."""
        pairs = []
        for (after, root), code in requests:
            nxt = after if code is None else after.child(code)
            reward = [b - a for a, b in zip(relative(after.returns(), root), relative(nxt.returns(), root))]
            pairs.append((nxt, root, reward))
        return self.describe(pairs)

    def describe(self, pairs: Sequence[tuple[pyspiel.State, int, list[float]]]) -> list[StateInfo]:
        """StateInfo for (real state, root player, reward on the edge into it)."""
        values = self._values([p[0] for p in pairs], [p[1] for p in pairs])
        out = []
        for (state, root, reward), value in zip(pairs, values):
            n = len(reward)
            if state.is_terminal():
                out.append(StateInfo((state, root), reward, [0.0] * n, -1, True))
            elif state.is_chance_node():
                out.append(StateInfo((state, root), reward, value, -1, False, [CHANCE], [1.0]))
            else:
                keys = state.legal_actions()
                out.append(StateInfo((state, root), reward, value, (state.current_player() - root) % n, False,
                                     keys, [1.0 / len(keys)] * len(keys)))
        return out
