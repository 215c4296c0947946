"""games.allocation against brute force: on random small instances, `feasible` and `choices` say exactly what
enumerating every assignment of cards to places says."""
from __future__ import annotations

import itertools
import random

import pytest

from games.allocation import Allocation


def brute_feasible(capacity: dict, allowed: dict) -> bool:
    """Whether some assignment, found by trying them all, places every card in an allowed place, filling each
    place exactly."""
    cards, places = list(allowed), list(capacity)
    for where in itertools.product(places, repeat=len(cards)):
        if all(w in allowed[c] for c, w in zip(cards, where)) and all(
                where.count(p) == capacity[p] for p in places):
            return True
    return False


def instance(rng: random.Random) -> tuple[dict, dict]:
    """A random small instance: 1-4 places, capacities summing to the card count (0-7 cards), random places."""
    places = [f"p{i}" for i in range(rng.randint(1, 4))]
    n = rng.randint(0, 7)
    cuts = sorted(rng.randint(0, n) for _ in range(len(places) - 1))
    capacity = {p: b - a for p, a, b in zip(places, [0] + cuts, cuts + [n])}
    allowed = {f"c{j}": {p for p in places if rng.random() < 0.6} for j in range(n)}
    return capacity, allowed


def test_the_random_instances_are_feasible_and_not_alike():
    """The instances below mix feasible and infeasible ones, so agreeing with brute force means something."""
    results = [brute_feasible(*instance(random.Random(seed))) for seed in range(300)]
    assert 50 < sum(results) < 250


@pytest.mark.parametrize("seed", range(300))
def test_feasible_and_choices_match_brute_force(seed):
    rng = random.Random(seed)
    capacity, allowed = instance(rng)
    alloc = Allocation.of(capacity, allowed)
    assert alloc.feasible() == brute_feasible(capacity, allowed)
    for place in capacity:
        expected = [c for c in allowed if place in allowed[c] and capacity[place] > 0 and brute_feasible(
            {**capacity, place: capacity[place] - 1}, {k: v for k, v in allowed.items() if k != c})]
        assert alloc.choices(place) == expected


def test_a_void_and_hand_sizes_force_the_cards():
    """Two hidden hands of two: seat A is void in hearts, so both hearts are B's, and A's hand is the spades."""
    alloc = Allocation.of({"A": 2, "B": 2}, {"H2": {"B"}, "H3": {"B"}, "S2": {"A", "B"}, "S3": {"A", "B"}})
    assert alloc.feasible() and alloc.choices("A") == ["S2", "S3"] and alloc.choices("B") == ["H2", "H3"]
    assert not alloc.place("S2", "B").feasible()  # then A would need a heart
    with pytest.raises(ValueError, match="may not be in 'A'"):
        alloc.place("H2", "A")
    with pytest.raises(ValueError, match="unknown places"):
        Allocation.of({"A": 1}, {"H2": {"C"}})


@pytest.mark.parametrize("seed", range(0, 300, 3))
def test_restrict_matches_brute_force(seed):
    """Keeping a card to a set of places: allowed exactly when some full assignment still exists."""
    rng = random.Random(seed)
    capacity, allowed = instance(rng)
    alloc, places = Allocation.of(capacity, allowed), list(capacity)
    for card in allowed:
        for k in range(len(places) + 1):
            for subset in itertools.combinations(places, k):
                expected = brute_feasible(capacity, {**allowed, card: allowed[card] & set(subset)})
                after = alloc.restrict(card, subset)
                assert (after is not None) == expected
                if after is not None:
                    assert after.feasible() and after.allowed[card] == alloc.mask(allowed[card] & set(subset))


@pytest.mark.parametrize("seed", range(0, 300, 3))
def test_chained_restricts_match_brute_force(seed):
    """Restricting one card after another (as the belief walk does, each allocation built from the last one's
    counts): every step is allowed exactly when some full assignment still exists."""
    rng = random.Random(seed)
    capacity, allowed = instance(rng)
    alloc, places = Allocation.of(capacity, allowed), list(capacity)
    if not alloc.feasible():
        return
    for _ in range(3 * len(allowed)):
        card = rng.choice(list(allowed))
        subset = {p for p in places if rng.random() < 0.5}
        expected = brute_feasible(capacity, {**allowed, card: allowed[card] & subset})
        after = alloc.restrict(card, subset)
        assert (after is not None) == expected
        if after is not None:
            alloc, allowed = after, {**allowed, card: allowed[card] & subset}
            fresh = Allocation.of(capacity, allowed)
            assert fresh.feasible() and sorted(alloc._tight) == sorted(fresh._slack())  # its tight sets too


@pytest.mark.parametrize("seed", range(200))
def test_pass_over_matches_brute_force(seed):
    """`pass_over` (a set's next card: each card judged, then kept out of the set before the next) against brute
    force: card i is offered where keeping it to the set's places, with every card before it kept out of them,
    leaves some assignment; the scan stops where keeping one more out leaves none."""
    rng = random.Random(seed)
    capacity, allowed = instance(rng)
    if len(capacity) < 2 or not brute_feasible(capacity, allowed):
        return
    keep = rng.sample(sorted(capacity), rng.randint(1, len(capacity) - 1))
    drop = [p for p in capacity if p not in keep]
    cards = rng.sample(sorted(allowed), len(allowed))
    expected, passed = [], dict(allowed)
    for i, card in enumerate(cards):
        if brute_feasible(capacity, {**passed, card: passed[card] & set(keep)}):
            expected.append(i)
        passed[card] = passed[card] & set(drop)
        if not brute_feasible(capacity, passed):
            break
    assert Allocation.of(capacity, allowed).pass_over(cards, keep, drop) == expected
