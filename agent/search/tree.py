"""Chance-aware Monte-Carlo tree search over a model of the game, many searches advancing in lock step.

A tree alternates two kinds of node (Stochastic MuZero):

- a **decision node** holds a state (a latent, or a real state in oracle mode); its children are afterstates,
  one per candidate action, keyed by an opaque key (the action's token tuple for the learned model); it knows
  who plays (a seat relative to the root player, or -1 when no one chooses), its value vector and priors;
- a **chance node** holds an afterstate; its children are decision nodes, one per chance code (or real chance
  outcome), with the code's probability.

The player of a decision node picks by PUCT on *its own* component of the value vector, so N players and
general-sum games need nothing special and two-player zero-sum reduces to negamax. Chance nodes pick
argmax p(c) / (N(c) + 1) (Stochastic MuZero's quota rule) or sample, and their value is the visit-weighted
mean over outcomes: nobody chooses their luck. Values are normalised per seat with the tree's min-max.

The root is shared by P particles (sampled worlds): it holds the real legal actions and pools the visit
counts and values of every particle; below each root action every particle has its own subtree. A player
must choose the same action in every world they cannot tell apart, so the root has to rank actions by their
value *averaged over the worlds*: pooled statistics estimate exactly that, and PUCT then spends simulations
across actions using the pooled estimate. (P separate trees summed at the end would estimate the same
thing, but each tree would allocate its simulations on its own world's values, so an action that is good
only in one world attracts visits from that tree alone: the pooled root is cheaper for the same accuracy.)
Simulation i runs in particle i mod P, so particles get equal shares.

Every simulation step makes one batched call per expansion kind across all searches (`Expander`): the leaf a
simulation reaches is either a new afterstate (decision node + action) or a new state (afterstate + code),
and only that branch is computed.
"""
from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Hashable, Sequence
from typing import Any, Protocol

from agent.search.config import SearchConfig
from agent.search.roots import make_root, puct


@dataclasses.dataclass
class StateInfo:
    """What an expander says about a new decision node."""

    handle: Any  # the expander's own representation (a latent row, a real state ...)
    reward: list[float]  # reward per seat on the edge into this node
    value: list[float]  # predicted future return per seat (0 at a terminal)
    to_play: int  # seat relative to the root player that chooses here; -1 when no one does (one key)
    terminal: bool
    keys: list[Hashable] = dataclasses.field(default_factory=list)  # candidate actions (distinct)
    prior: list[float] = dataclasses.field(default_factory=list)  # prior over `keys`, summing to 1


@dataclasses.dataclass
class AfterInfo:
    """What an expander says about a new afterstate (chance node)."""

    handle: Any
    reward: list[float]  # reward per seat on the edge action -> afterstate (0 for the learned model)
    value: list[float]  # afterstate value per seat (Q of the action)
    outcomes: list[tuple[Hashable, float]]  # (code, probability) of what chance does next


class Expander(Protocol):
    """The model the search plans with: it expands leaves, many at a time."""

    def expand_afterstates(self, requests: Sequence[tuple[Any, Hashable]]) -> list[AfterInfo]:
        """For each (decision-node handle, action key): the afterstate reached by that action."""

    def expand_states(self, requests: Sequence[tuple[Any, Hashable]]) -> list[StateInfo]:
        """For each (afterstate handle, chance code): the decision node chance leads to."""


class Decision:
    """A decision node: candidate actions, their priors and per-action statistics."""

    __slots__ = ("info", "children", "n", "w")

    def __init__(self, info: StateInfo):
        self.info = info
        k = len(info.keys)
        self.children: list[Chance | None] = [None] * k
        self.n = [0] * k  # visits per action
        self.w: list[list[float] | None] = [None] * k  # summed return vector per action


class Chance:
    """A chance node (afterstate): outcomes with probabilities and their decision-node children."""

    __slots__ = ("info", "children", "n")

    def __init__(self, info: AfterInfo):
        self.info = info
        self.children: dict[Hashable, Decision] = {}
        self.n = [0] * len(info.outcomes)


class MinMax:
    """Per-seat min and max of the returns seen in one tree, to put values on [0, 1]."""

    def __init__(self, seats: int):
        self.lo = [math.inf] * seats
        self.hi = [-math.inf] * seats

    def update(self, v: list[float]) -> None:
        """Widen the bounds to include return vector v."""
        for i, x in enumerate(v):
            if x < self.lo[i]:
                self.lo[i] = x
            if x > self.hi[i]:
                self.hi[i] = x

    def norm(self, seat: int, x: float) -> float:
        """x on [0, 1] for `seat` (0.5 until the tree has seen two different returns)."""
        lo, hi = self.lo[seat], self.hi[seat]
        return (x - lo) / (hi - lo) if hi > lo else 0.5


def _add(a: list[float], b: list[float]) -> list[float]:
    return [x + y for x, y in zip(a, b)]


def _mean(total: list[float], n: int) -> list[float]:
    return [x / n for x in total]


@dataclasses.dataclass
class SearchResult:
    """One finished search: the root's actions and what the search learned about them."""

    keys: list[Hashable]  # root action keys, in the order given
    visits: list[int]  # simulations through each root action, pooled over particles
    q: list[list[float] | None]  # mean return vector per root action (None if never visited)
    prior: list[float]  # root prior (pooled over particles, noise included)
    policy: list[float]  # the search's policy target: visit shares (PUCT), Gumbel's improved policy or MMD's
    # mirror-descent step
    action: int  # index into `keys` the search recommends
    value: list[float]  # root value estimate per seat (visit-weighted mean over actions)


class Tree:
    """One search: a root shared by P particles, a subtree per particle below each root action. The root rule
    (`agent.search.roots`) picks each simulation's root action; the tree descends, expands and backs up."""

    def __init__(self, roots: list[StateInfo], seats: int, cfg: SearchConfig, rng: random.Random,
                 noise: bool, scale: float = 1.0):
        keys = roots[0].keys
        if not keys or any(r.keys != keys for r in roots):
            raise ValueError("every particle's root must list the same, non-empty, real legal actions")
        self.cfg, self.rng, self.seats, self.scale = cfg, rng, seats, scale  # scale: the game's return unit
        self.particles = [Decision(r) for r in roots]
        self.player = roots[0].to_play
        k = len(keys)
        self.n = [0] * k  # pooled visits per root action
        self.w: list[list[float] | None] = [None] * k  # pooled summed return vector per root action
        self.particle_n = [[0] * k for _ in roots]  # root visits per particle and action
        self.value = [sum(r.value[i] for r in roots) / len(roots) for i in range(seats)]
        self.minmax = MinMax(seats)
        self.sims = 0
        pooled = [sum(r.prior[a] for r in roots) / len(roots) for a in range(k)]
        self.rule = make_root(self, pooled, rng, noise)
        self.root_edge = (0, 0)  # (particle, root action) of the current simulation
        self.path: list[tuple[Decision | Chance, int]] = []  # (node, child index) below the root
        self.leaf: tuple[Decision | Chance, Hashable] | None = None  # where the pending expansion attaches

    @property
    def prior(self) -> list[float]:
        """The pooled root prior the search uses (noise included)."""
        return self.rule.prior

    # ----- one simulation, in two halves around the batched expansion -----
    def descend(self) -> tuple[str, Any, Hashable] | None:
        """Walk to a leaf; return what must be expanded there ('after' or 'state', handle, key) or None when
        the path ended at a terminal node (already backed up)."""
        particle = self.sims % len(self.particles)
        node = self.particles[particle]
        a = self.rule.select(particle)
        self.root_edge, self.path = (particle, a), []
        depth = 0
        while True:
            child = node.children[a]
            if child is None:
                self.leaf = (node, a)
                return "after", node.info.handle, node.info.keys[a]
            ci = self._chance_pick(child)
            self.path.append((child, ci))
            code = child.info.outcomes[ci][0]
            nxt = child.children.get(code)
            if nxt is None:
                self.leaf = (child, code)
                return "state", child.info.handle, code
            depth += 1
            if nxt.info.terminal or depth >= self.cfg.max_depth:
                value = [0.0] * self.seats if nxt.info.terminal else nxt.info.value
                self._backup(value, first_reward=nxt.info.reward)
                return None
            node = nxt
            a = self._inner_action(node)
            self.path.append((node, a))

    def _inner_action(self, node: Decision) -> int:
        """The action a simulation takes at an inner decision node (see SearchConfig.inner_play)."""
        mode, seat = self.cfg.inner_play, node.info.to_play
        if mode == "prior" or (mode == "prior_others" and seat != self.player):
            return self.rng.choices(range(len(node.n)), weights=node.info.prior)[0]
        return puct(node.info.prior, node.n, node.w, node.info.value, seat, sum(node.n), self.minmax,
                    self.cfg.c_puct)

    def expanded(self, info: StateInfo | AfterInfo) -> None:
        """Attach the expander's answer to the pending leaf and back its value up."""
        parent, key = self.leaf
        self.leaf = None
        if isinstance(parent, Decision):
            parent.children[key] = Chance(info)
            self._backup(info.value, first_reward=info.reward)
        else:
            parent.children[key] = Decision(info)
            self._backup([0.0] * self.seats if info.terminal else info.value, first_reward=info.reward)

    def _chance_pick(self, node: Chance) -> int:
        out = node.info.outcomes
        if len(out) == 1:
            return 0
        if self.cfg.chance == "sample":
            return self.rng.choices(range(len(out)), weights=[p for _, p in out])[0]
        return max(range(len(out)), key=lambda i: out[i][1] / (node.n[i] + 1))

    def _backup(self, value: list[float], first_reward: list[float] | None = None) -> None:
        """Propagate a leaf value up the path and into the root; rewards sit on the edges into nodes
        (discount 1)."""
        g = _add(value, first_reward) if first_reward is not None else list(value)
        for node, edge in reversed(self.path):
            node.n[edge] += 1
            if isinstance(node, Chance):
                g = _add(g, node.info.reward)  # the action edge's reward, into the afterstate
            else:
                node.w[edge] = g if node.w[edge] is None else _add(node.w[edge], g)
                self.minmax.update(_mean(node.w[edge], node.n[edge]))
                g = _add(g, node.info.reward)  # the chance edge's reward, into this decision node
        particle, a = self.root_edge
        self.n[a] += 1
        self.particle_n[particle][a] += 1
        self.w[a] = g if self.w[a] is None else _add(self.w[a], g)
        self.minmax.update(_mean(self.w[a], self.n[a]))
        self.sims += 1

    # ----- the answer -----
    def result(self) -> SearchResult:
        """The root's pooled statistics, the policy target and the recommended action."""
        k, total = len(self.n), sum(self.n)
        q = [_mean(self.w[a], self.n[a]) if self.n[a] else None for a in range(k)]
        policy, action = self.rule.answer()
        value = ([sum(self.w[a][i] for a in range(k) if self.n[a]) / total for i in range(self.seats)]
                 if total else list(self.value))
        return SearchResult(keys=list(self.particles[0].info.keys), visits=list(self.n), q=q,
                            prior=list(self.prior), policy=policy, action=action, value=value)


def pool(results: list[SearchResult]) -> SearchResult:
    """Independent searches of one decision as one: visits summed, Q visit-weighted, prior, policy and value
    averaged, the recommended action the pooled policy's most probable (the first on ties)."""
    if len(results) == 1:
        return results[0]
    keys, n = results[0].keys, len(results)
    if any(r.keys != keys for r in results):
        raise ValueError("only searches of the same decision (the same root actions) can be pooled")
    visits = [sum(r.visits[a] for r in results) for a in range(len(keys))]
    q = []
    for a in range(len(keys)):
        seen = [r for r in results if r.visits[a]]
        q.append([sum(r.visits[a] * r.q[a][i] for r in seen) / visits[a] for i in range(len(seen[0].q[a]))]
                 if seen else None)
    def average(field: str) -> list[float]:
        return [sum(col) / n for col in zip(*(getattr(r, field) for r in results))]

    policy = average("policy")
    return SearchResult(keys=list(keys), visits=visits, q=q, prior=average("prior"), policy=policy,
                        action=max(range(len(keys)), key=lambda a: (policy[a], -a)), value=average("value"))


def simulate(expander: Expander, trees: Sequence[Tree]) -> None:
    """Run every tree's simulations in lock step: each step takes one leaf per tree and asks the expander once
    per leaf kind (afterstates, states) for all of them."""
    for _ in range(max(t.cfg.simulations for t in trees)):
        after, state = [], []
        for t in trees:
            if t.sims >= t.cfg.simulations:
                continue
            leaf = t.descend()
            if leaf is not None:
                (after if leaf[0] == "after" else state).append((t, leaf[1], leaf[2]))
        if after:
            for (t, _, _), info in zip(after, expander.expand_afterstates([(h, k) for _, h, k in after])):
                t.expanded(info)
        if state:
            for (t, _, _), info in zip(state, expander.expand_states([(h, k) for _, h, k in state])):
                t.expanded(info)


def run(expander: Expander, roots: list[list[StateInfo]], seats: int, cfg: SearchConfig, *,
        rng: random.Random, noise: bool = False, scale: float = 1.0) -> list[SearchResult]:
    """Run len(roots) searches in lock step; roots[i] holds search i's particles (same keys, own handles);
    `scale` is the game's return unit (agent.model.config.return_scale; the unit of the MMD root's step)."""
    trees = [Tree(r, seats, cfg, rng, noise, scale) for r in roots]
    simulate(expander, trees)
    return [t.result() for t in trees]
