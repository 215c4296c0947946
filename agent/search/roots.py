"""Root rules: how a search's root picks each simulation's action and what policy and move it answers.

The root holds the real legal actions and pools every particle's statistics (`agent.search.tree.Tree`); a rule
reads those statistics and decides. Each rule is one small object built per search, in the manner of mctx's
`root_action_selection_fn` / `interior_action_selection_fn`:

- `Puct`: PUCT on the pooled Q (Dirichlet noise on the prior in self-play); its policy is the visit shares.
- `Gumbel`: Gumbel MuZero's top-m with sequential halving; its policy is the improved policy
  softmax(logits + sigma(completed Q)) (Danihelka et al. 2022).
- `Mmd`: every action searched alike in every particle; its policy is a magnetic mirror descent step from the
  prior on the searched Q (Sokota et al. 2023), whose last iterate converges in two-player zero-sum games.
"""
from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from agent.search.tree import Tree


class RootRule(Protocol):
    """What a tree asks of its root rule."""

    prior: list[float]  # the root prior the rule searches with (noise included)

    def select(self, particle: int) -> int:
        """The root action of the next simulation, which runs in `particle`."""

    def answer(self) -> tuple[list[float], int]:
        """The search's policy over the root actions, and the index of the action it recommends."""


def make_root(tree: Tree, prior: list[float], rng: random.Random, noise: bool) -> RootRule:
    """The root rule `tree.cfg.root` names, over the pooled `prior`."""
    return ROOTS[tree.cfg.root](tree, prior, rng, noise)


class Puct:
    """PUCT at the root, with Dirichlet noise mixed into the prior when `noise` (self-play)."""

    def __init__(self, tree: Tree, prior: list[float], rng: random.Random, noise: bool):
        self.tree, cfg, k = tree, tree.cfg, len(prior)
        if noise and k > 1:
            g = [rng.gammavariate(cfg.dirichlet_alpha, 1.0) for _ in range(k)]
            total = sum(g) or 1.0
            f = cfg.dirichlet_fraction
            prior = [(1 - f) * p + f * x / total for p, x in zip(prior, g)]
        self.prior = prior

    def select(self, particle: int) -> int:
        t = self.tree
        return puct(self.prior, t.n, t.w, t.value, t.player, sum(t.n), t.minmax, t.cfg.c_puct)

    def answer(self) -> tuple[list[float], int]:
        n, total = self.tree.n, sum(self.tree.n)
        policy = [x / total for x in n] if total else list(self.prior)
        return policy, max(range(len(n)), key=lambda a: (n[a], self.prior[a]))


class Gumbel:
    """Gumbel top-m with sequential halving; Gumbel draws only when `noise` (else their mode, 0)."""

    def __init__(self, tree: Tree, prior: list[float], rng: random.Random, noise: bool):
        self.tree, self.prior, k = tree, prior, len(prior)
        self.logits = [math.log(max(p, 1e-30)) for p in prior]
        self.gumbel = [-math.log(-math.log(rng.random() or 1e-300)) if noise else 0.0 for _ in range(k)]
        m = min(tree.cfg.gumbel_actions, k)
        order = sorted(range(k), key=lambda a: self.gumbel[a] + self.logits[a], reverse=True)
        self.considered = order[:m]
        self.schedule = considered_visits(m, tree.cfg.simulations)

    def select(self, particle: int) -> int:
        t = self.tree
        want = self.schedule[min(t.sims, len(self.schedule) - 1)]
        ok = [a for a in self.considered if t.n[a] == want] or self.considered
        return max(ok, key=lambda a: self.gumbel[a] + self.logits[a] + self.sigma(a))

    def answer(self) -> tuple[list[float], int]:
        policy = softmax([self.logits[a] + self.sigma(a) for a in range(len(self.prior))])
        return policy, max(self.considered, key=lambda a: (self.gumbel[a] + self.logits[a] + self.sigma(a)))

    def sigma(self, a: int) -> float:
        """Gumbel MuZero's sigma of the completed, normalised Q of root action a."""
        cfg = self.tree.cfg
        return (cfg.gumbel_c_visit + max(self.tree.n)) * cfg.gumbel_c_scale * self.completed_q(a)

    def completed_q(self, a: int) -> float:
        """The root player's normalised Q of a, or v_mix where a is unvisited."""
        t = self.tree
        p = t.player
        if t.n[a]:
            return t.minmax.norm(p, t.w[a][p] / t.n[a])
        return t.minmax.norm(p, self.mixed_value())

    def mixed_value(self) -> float:
        """Gumbel MuZero's v_mix for the root player: the prior-weighted visited Q blended with the root value."""
        t = self.tree
        p, total = t.player, sum(t.n)
        visited = [a for a in range(len(t.n)) if t.n[a]]
        if not visited:
            return t.value[p]
        mass = sum(self.prior[a] for a in visited) or 1e-30
        q = sum(self.prior[a] * t.w[a][p] / t.n[a] for a in visited) / mass
        return (t.value[p] + total * q) / (1 + total)


class Mmd:
    """Every root action searched alike in every particle; the policy a magnetic mirror descent step."""

    def __init__(self, tree: Tree, prior: list[float], rng: random.Random, noise: bool):
        self.tree, self.prior = tree, prior

    def select(self, particle: int) -> int:
        t, counts = self.tree, self.tree.particle_n[particle]  # the particle's least searched action
        return min(range(len(counts)), key=lambda a: (counts[a], t.n[a], -self.prior[a]))

    def answer(self) -> tuple[list[float], int]:
        """softmax((log prior + eta * Q / scale) / (1 + alpha * eta)) with the uniform magnet, on the root
        player's Q (an unsearched action takes the root's value)."""
        t = self.tree
        eta, alpha, p = t.cfg.mmd_eta, t.cfg.mmd_alpha, t.player
        q = [t.w[a][p] / t.n[a] if t.n[a] else t.value[p] for a in range(len(t.n))]
        policy = softmax([(math.log(max(pr, 1e-30)) + eta * qa / t.scale) / (1.0 + alpha * eta)
                          for pr, qa in zip(self.prior, q)])
        return policy, max(range(len(policy)), key=lambda a: policy[a])


ROOTS: dict[str, type] = {"puct": Puct, "gumbel": Gumbel, "mmd": Mmd}


def puct(prior, n, w, value, player: int, total: int, minmax, c: float) -> int:
    """argmax of normalised Q (the player's own seat) + c * prior * sqrt(total) / (1 + n); unvisited actions
    take the node's own value estimate. A node where no one chooses (player -1) has one action."""
    if player < 0 or len(prior) == 1:
        return 0
    root = math.sqrt(total) if total else 1.0
    fallback = minmax.norm(player, value[player])
    best, best_score = 0, -math.inf
    for a, p in enumerate(prior):
        q = minmax.norm(player, w[a][player] / n[a]) if n[a] else fallback
        s = q + c * p * root / (1 + n[a])
        if s > best_score:
            best, best_score = a, s
    return best


def considered_visits(m: int, simulations: int) -> list[int]:
    """Sequential halving's schedule: the visit count the root action of simulation i must have, so that m
    actions get equal visits, then the better half, and so on (Karnin et al. 2013; Danihelka et al. 2022)."""
    if m <= 1:
        return list(range(simulations))
    phases = math.ceil(math.log2(m))
    seq, visits, alive = [], [0] * m, m
    while len(seq) < simulations:
        extra = max(1, simulations // (phases * alive))
        for _ in range(extra):
            seq.extend(visits[:alive])
            for i in range(alive):
                visits[i] += 1
        alive = max(2, alive // 2)
    return seq[:simulations]


def softmax(scores: list[float]) -> list[float]:
    """The softmax of a list of scores."""
    top = max(scores)
    e = [math.exp(x - top) for x in scores]
    total = sum(e)
    return [x / total for x in e]
