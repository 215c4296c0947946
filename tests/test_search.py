"""The search on hand-built models with known answers: chance is averaged (the luck trap), every player maximises
its own value, Gumbel and PUCT roots, pooled particles."""
import dataclasses
import itertools
import math
import random

import pytest

from agent.search.config import SearchConfig
from agent.search.roots import considered_visits
from agent.search.tree import AfterInfo, SearchResult, StateInfo, Tree, pool, run, simulate


class HandBuilt:
    """An expander over an explicit tree. States: name -> (to_play, {key: afterstate}) or ('end',);
    afterstates: name -> [(code, prob, state, reward vector)]. Values are uninformative (0), except, with
    `exact_last`, the exact Q of an afterstate one chance step from the end."""

    def __init__(self, states, afters, seats, exact_last=False):
        self.states, self.afters, self.seats, self.exact_last = states, afters, seats, exact_last
        self.calls = {"after": 0, "state": 0}
        self.sizes = {"after": [], "state": []}  # requests per call

    def state_info(self, name, reward):
        spec = self.states[name]
        zero = [0.0] * self.seats
        if spec[0] == "end":
            return StateInfo(name, reward, zero, -1, True)
        to_play, actions = spec
        keys = list(actions)
        return StateInfo(name, reward, zero, to_play, False, keys, [1 / len(keys)] * len(keys))

    def expand_afterstates(self, requests):
        self.calls["after"] += 1
        self.sizes["after"].append(len(requests))
        out = []
        for name, key in requests:
            after = self.states[name][1][key]
            outcomes = [(code, p) for code, p, _, _ in self.afters[after]]
            value = [0.0] * self.seats
            if self.exact_last and all(self.states[o[2]][0] == "end" for o in self.afters[after]):
                value = [sum(o[1] * o[3][i] for o in self.afters[after]) for i in range(self.seats)]
            out.append(AfterInfo(after, [0.0] * self.seats, value, outcomes))
        return out

    def expand_states(self, requests):
        self.calls["state"] += 1
        self.sizes["state"].append(len(requests))
        out = []
        for after, code in requests:
            _, _, state, reward = next(o for o in self.afters[after] if o[0] == code)
            out.append(self.state_info(state, list(reward)))
        return out

    def roots(self, name, particles=1):
        return [self.state_info(name, [0.0] * self.seats) for _ in range(particles)]


class OneSuccessor:
    """The planner of the seed post's worry: each action's successor is sampled once, then treated as sure."""

    def __init__(self, inner, rng):
        self.inner, self.rng = inner, rng

    def expand_afterstates(self, requests):
        out = []
        for info in self.inner.expand_afterstates(requests):
            codes, probs = zip(*info.outcomes)
            info.outcomes = [(self.rng.choices(codes, probs)[0], 1.0)]
            out.append(info)
        return out

    def expand_states(self, requests):
        return self.inner.expand_states(requests)


def luck_trap(lotteries: int):
    """Root: `lotteries` actions that each pay 100 with probability 0.1 (mean 10), and 'safe' paying 12 surely."""
    states = {"root": (0, {f"lottery{i}": f"lot{i}" for i in range(lotteries)} | {"safe": "sure"}),
              "end": ("end",)}
    afters = {f"lot{i}": [("win", 0.1, "end", (100.0, -100.0)), ("lose", 0.9, "end", (0.0, 0.0))]
              for i in range(lotteries)}
    afters["sure"] = [("only", 1.0, "end", (12.0, -12.0))]
    return HandBuilt(states, afters, 2)


def test_luck_trap_chance_nodes_average_and_one_sampled_successor_chooses_its_luck():
    model, cfg = luck_trap(10), SearchConfig(simulations=400, particles=1)
    ours, naive = 0, 0
    for seed in range(40):
        rng = random.Random(seed)
        res = run(model, [model.roots("root")], 2, cfg, rng=rng)[0]
        ours += res.keys[res.action] == "safe"
        res = run(OneSuccessor(model, rng), [model.roots("root")], 2, cfg, rng=rng)[0]
        naive += res.keys[res.action] == "safe"
    assert ours == 40
    # with 10 lotteries one of them looks like a sure 100 with probability 1 - 0.9^10 = 0.65
    assert naive <= 25, naive


def test_chance_node_visits_follow_the_probabilities():
    model = luck_trap(1)
    model.states["root"] = (0, {"lottery0": "lot0"})
    res = run(model, [model.roots("root")], 2, SearchConfig(simulations=200, particles=1),
              rng=random.Random(0))[0]
    assert res.q[0] == pytest.approx([10.0, -10.0], abs=0.6)  # quota rule: 10% of the visits win 100


def random_three_player_tree(rng, depth=2, branching=3, first=0):
    """Players first, first + 1, ... (mod 3) move in turn (a deterministic afterstate each); leaves pay random
    vectors, each player's payoffs all distinct (so every node has one subgame-perfect move)."""
    states, afters = {}, {}
    pay = [rng.sample(range(-60, 61, 3), branching ** depth) for _ in range(3)]

    def build(name, d):
        if d == depth:
            states[name] = ("end",)
            return
        actions = {}
        for b in range(branching):
            child = f"{name}{b}"
            actions[f"a{b}"] = "A" + child
            afters["A" + child] = [("only", 1.0, child, tuple(float(p.pop()) for p in pay)
                                    if d == depth - 1 else (0.0, 0.0, 0.0))]
            build(child, d + 1)
        states[name] = ((first + d) % 3, actions)

    build("s", 0)
    return HandBuilt(states, afters, 3, exact_last=True)


def backward_induction(model, name, maximiser=None):
    """Exact: each player picks the child maximising its own total (or `maximiser`'s, when given, as a search
    that forgot whose turn it is would); returns (value vector, best key)."""
    spec = model.states[name]
    if spec[0] == "end":
        return (0.0, 0.0, 0.0), None
    seat = spec[0] if maximiser is None else maximiser
    best = None
    for key, after in spec[1].items():
        (_, _, child, reward), = model.afters[after]
        v, _ = backward_induction(model, child, maximiser)
        total = tuple(r + x for r, x in zip(reward, v))
        if best is None or total[seat] > best[0][seat]:
            best = (total, key)
    return best


def test_three_players_each_maximise_their_own_value():
    """On random three-player trees (two moves, then payoffs; every player takes each role), the search
    recommends the subgame-perfect move of backward induction wherever it is clear."""
    checked = differs = 0
    for seed in range(24):
        model = random_three_player_tree(random.Random(seed), first=seed % 3)
        player, actions = model.states["s"]
        totals = {key: backward_induction(model, "s" + key[1:])[0] for key in actions}
        mine = sorted(v[player] for v in totals.values())
        if mine[-1] - mine[-2] < 6:
            continue  # no clear best move
        res = run(model, [model.roots("s")], 3, SearchConfig(simulations=1000, particles=1),
                  rng=random.Random(seed))[0]
        want = backward_induction(model, "s")[1]
        assert res.keys[res.action] == want, (seed, totals)
        checked += 1
        differs += want != backward_induction(model, "s", maximiser=player)[1]
    assert checked >= 15
    assert differs >= 3  # cases where a search maximising the root player's value everywhere would fail


def test_lock_step_makes_one_call_per_kind_per_simulation():
    """16 identical searches of 10 simulations (no noise: they walk alike): at most one call per kind per
    simulation, and every call carries the leaf of all 16 searches."""
    model = luck_trap(3)
    run(model, [model.roots("root") for _ in range(16)], 2, SearchConfig(simulations=10, particles=1),
        rng=random.Random(0))
    assert 1 <= model.calls["after"] <= 10 and 1 <= model.calls["state"] <= 10
    assert set(model.sizes["after"]) == set(model.sizes["state"]) == {16}


def test_particles_share_the_root_statistics():
    """Two worlds the player cannot tell apart: in A action 'a' pays +10, in B it pays -30; 'b' pays 0 in both.
    The pooled root ranks actions by their value averaged over the worlds (a: -10), so each particle, A's
    included, spends its simulations on 'b'; P separate trees summed would have A's tree spend its own on 'a'."""
    states = {"rootA": (0, {"a": "aA", "b": "b0"}), "rootB": (0, {"a": "aB", "b": "b0"}), "end": ("end",)}
    afters = {"aA": [("only", 1.0, "end", (10.0, -10.0))], "aB": [("only", 1.0, "end", (-30.0, 30.0))],
              "b0": [("only", 1.0, "end", (0.0, 0.0))]}
    model = HandBuilt(states, afters, 2)
    roots = [model.state_info("rootA", [0.0, 0.0]), model.state_info("rootB", [0.0, 0.0])]
    tree = Tree(roots, 2, SearchConfig(simulations=200, particles=2), random.Random(0), noise=False)
    simulate(model, [tree])
    res = tree.result()
    assert sum(res.visits) == 200 and res.keys[res.action] == "b"
    assert res.q[0][0] < 0 < res.q[1][0] + 1e-9  # "a" averages a loss over the worlds it was tried in
    in_a = dict(zip(res.keys, tree.particle_n[0]))
    assert in_a["b"] > 2 * in_a["a"]  # world A's particle follows the pooled value, not A's own


def test_gumbel_root_finds_the_safe_action_with_few_simulations_and_its_policy_prefers_it():
    model = luck_trap(3)
    cfg = SearchConfig(simulations=32, particles=1, root="gumbel", gumbel_actions=4)
    for seed in range(10):
        res = run(model, [model.roots("root")], 2, cfg, rng=random.Random(seed), noise=True)[0]
        assert res.keys[res.action] == "safe"
        assert max(res.policy) == res.policy[res.keys.index("safe")]
        assert sum(res.policy) == pytest.approx(1.0)


@pytest.mark.parametrize("c_scale", [0.0, 0.01, 0.05])
def test_gumbel_improved_policy_is_the_prior_tilted_by_the_searched_q(c_scale):
    """Two actions paying 1 and 0 for sure (normalised Q 1 and 0), uniform prior: the improved policy's odds are
    exp((c_visit + max N) * c_scale) to 1, so a small c_scale stays near the prior (the play search's use)."""
    states = {"root": (0, {"good": "g", "bad": "b"}), "end": ("end",)}
    afters = {"g": [("only", 1.0, "end", (1.0, -1.0))], "b": [("only", 1.0, "end", (0.0, 0.0))]}
    model = HandBuilt(states, afters, 2, exact_last=True)
    cfg = SearchConfig(simulations=16, particles=1, root="gumbel", gumbel_c_scale=c_scale)
    res = run(model, [model.roots("root")], 2, cfg, rng=random.Random(0))[0]
    good, bad = (res.policy[res.keys.index(k)] for k in ("good", "bad"))
    assert good / bad == pytest.approx(math.exp((cfg.gumbel_c_visit + max(res.visits)) * c_scale))


@pytest.mark.parametrize("eta, alpha, scale", [(0.0, 0.05, 1.0), (1.0, 0.0, 1.0), (2.0, 0.5, 1.0), (2.0, 0.5, 4.0)])
def test_mmd_policy_is_the_closed_form_step_and_every_action_is_searched_alike_in_every_particle(eta, alpha, scale):
    """Four actions paying 1, 0, -1 and 0.5 for sure under a skewed prior: magnetic mirror descent with a uniform
    magnet gives pi'(a) proportional to (pi(a) * exp(eta * Q(a) / scale)) ** (1 / (1 + alpha * eta)), worked
    out here by hand; each of 2 particles searches each action 4 times (32 simulations; choosing by the
    pooled counts alone would give particle 0 only actions 0 and 2)."""
    payoff = {"good": 1.0, "bad": 0.0, "worse": -1.0, "fair": 0.5}
    states = {"root": (0, {k: k for k in payoff}), "end": ("end",)}
    afters = {k: [("only", 1.0, "end", (v, -v))] for k, v in payoff.items()}
    model = HandBuilt(states, afters, 2, exact_last=True)
    prior = [0.4, 0.1, 0.2, 0.3]
    roots = model.roots("root", particles=2)
    for r in roots:
        r.prior = prior
    cfg = SearchConfig(simulations=32, particles=2, root="mmd", mmd_eta=eta, mmd_alpha=alpha)
    tree = Tree(roots, 2, cfg, random.Random(0), False, scale)
    simulate(model, [tree])
    res = tree.result()
    assert tree.particle_n == [[4, 4, 4, 4], [4, 4, 4, 4]]
    weights = [(p * math.exp(eta * payoff[k] / scale)) ** (1 / (1 + alpha * eta)) for p, k in zip(prior, res.keys)]
    assert res.policy == pytest.approx([w / sum(weights) for w in weights])
    assert res.action == max(range(4), key=lambda a: weights[a])


@pytest.mark.parametrize("m, n", [(4, 16), (8, 50), (16, 64), (2, 7), (1, 5)])
def test_sequential_halving_schedule(m, n):
    seq = considered_visits(m, n)
    assert len(seq) == n
    # within a phase, each visit level is handed out to a shrinking set of actions, never skipping a level
    counts = {v: seq.count(v) for v in set(seq)}
    assert all(counts[a] >= counts[b] for a, b in itertools.pairwise(sorted(counts)))
    assert seq[:m] == [0] * m or m == 1


@pytest.mark.parametrize("m, n, schedule", [
    # 4 actions, 8 simulations: one visit each (4), then the better two get 2 more each (4)
    (4, 8, [0, 0, 0, 0, 1, 1, 2, 2]),
    # 2 actions alternate
    (2, 5, [0, 0, 1, 1, 2]),
    # 3 actions, 2 phases: one visit each, then the better two share what is left
    (3, 6, [0, 0, 0, 1, 1, 2]),
    # 16 actions, 4 phases of 32 // (4 * alive) visits each: 16 x 1, 8 x 1, 4 x 2 (the last phase's two
    # never come: the budget is spent)
    (16, 32, [0] * 16 + [1] * 8 + [2] * 4 + [3] * 4),
])
def test_sequential_halving_schedule_by_hand(m, n, schedule):
    assert considered_visits(m, n) == schedule


def test_sampled_chance_selection_averages_over_luck_too():
    """Sampling outcomes also estimates the mean (with Monte-Carlo noise the quota rule avoids)."""
    model = luck_trap(1)
    model.states["root"] = (0, {"lottery0": "lot0"})
    res = run(model, [model.roots("root")], 2, SearchConfig(simulations=2000, particles=1, chance="sample"),
              rng=random.Random(0))[0]
    assert res.q[0][0] == pytest.approx(10.0, abs=2.5)  # standard error 30 / sqrt(2000) = 0.7


def test_config_refuses_unknown_modes():
    with pytest.raises(ValueError, match="root must be"):
        SearchConfig(root="best")
    with pytest.raises(ValueError, match=">= 1"):
        SearchConfig(simulations=0)
    with pytest.raises(ValueError, match="mmd_eta and mmd_alpha must be >= 0"):
        SearchConfig(root="mmd", mmd_alpha=-0.1)


def test_inner_play_prior_others_best_responds_to_the_others_prior():
    """Risky: the opponent then either punishes (-4 for us) or gifts (+8), with prior 1/2 each; safe pays 1.
    Maximising opponents make risky worth -4; opponents drawn from their prior make it worth +2 on average."""
    states = {"root": (0, {"safe": "sure", "risky": "to_them"}), "them": (1, {"punish": "p", "gift": "g"}),
              "end": ("end",)}
    afters = {"sure": [("only", 1.0, "end", (1.0, -1.0))], "to_them": [("only", 1.0, "them", (0.0, 0.0))],
              "p": [("only", 1.0, "end", (-4.0, 4.0))], "g": [("only", 1.0, "end", (8.0, -8.0))]}
    model = HandBuilt(states, afters, 2)
    picks, q = {}, {}
    for mode in ("puct", "prior_others"):
        cfg = SearchConfig(simulations=800, particles=1, inner_play=mode)
        res = run(model, [model.roots("root")], 2, cfg, rng=random.Random(0))[0]
        picks[mode], q[mode] = res.keys[res.action], res.q[res.keys.index("risky")][0]
    assert picks == {"puct": "safe", "prior_others": "risky"}
    assert q["puct"] < -2.0 and q["prior_others"] == pytest.approx(2.0, abs=1.0)
    with pytest.raises(ValueError, match="inner_play"):
        SearchConfig(inner_play="best")


def test_pooled_searches_sum_visits_weigh_q_by_visits_and_average_the_policy():
    a = SearchResult(keys=["x", "y", "z"], visits=[3, 1, 0], q=[[1.0, -1.0], [0.0, 0.0], None], prior=[0.5, 0.3, 0.2],
                     policy=[0.75, 0.25, 0.0], action=0, value=[0.75, -0.75])
    b = SearchResult(keys=["x", "y", "z"], visits=[1, 2, 1], q=[[-1.0, 1.0], [0.5, -0.5], [2.0, -2.0]],
                     prior=[0.1, 0.3, 0.6], policy=[0.25, 0.25, 0.5], action=2, value=[0.5, -0.5])
    p = pool([a, b])
    assert p.visits == [4, 3, 1] and p.keys == ["x", "y", "z"]
    assert p.q[0] == pytest.approx([0.5, -0.5]) and p.q[1] == pytest.approx([1 / 3, -1 / 3]) and p.q[2] == [2.0, -2.0]
    assert p.policy == pytest.approx([0.5, 0.25, 0.25]) and p.prior == pytest.approx([0.3, 0.3, 0.4])
    assert p.value == pytest.approx([0.625, -0.625]) and p.action == 0  # the pooled policy's favourite
    assert pool([a]) is a
    with pytest.raises(ValueError, match="same decision"):
        pool([a, dataclasses.replace(b, keys=["x", "y", "w"])])
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        SearchConfig(repeats=0)
