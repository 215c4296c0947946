"""games.deadlines against brute force: places in time order, each card kept to a contiguous run of them."""
from __future__ import annotations

import random

import pytest

from games.deadlines import Deadlines
from tests.test_allocation import brute_feasible


def instance(rng: random.Random) -> tuple[dict, dict]:
    """1-5 places with capacities summing to the card count (0-7 cards), each card a random contiguous run."""
    places = [f"p{i}" for i in range(rng.randint(1, 5))]
    n = rng.randint(0, 7)
    cuts = sorted(rng.randint(0, n) for _ in range(len(places) - 1))
    capacity = {p: b - a for p, a, b in zip(places, [0] + cuts, cuts + [n])}
    allowed = {}
    for j in range(n):
        lo = rng.randrange(len(places))
        hi = rng.randrange(lo, len(places))
        allowed[f"c{j}"] = set(places[lo:hi + 1])
    return capacity, allowed


def test_the_random_instances_are_feasible_and_not_alike():
    results = [brute_feasible(*instance(random.Random(seed))) for seed in range(200)]
    assert 30 < sum(results) < 170


@pytest.mark.parametrize("seed", range(0, 200, 2))
def test_feasible_and_restrict_match_brute_force(seed):
    capacity, allowed = instance(random.Random(seed))
    alloc, places = Deadlines.of(capacity, allowed), list(capacity)
    assert alloc.feasible() == brute_feasible(capacity, allowed)
    for card in allowed:
        for lo in range(len(places)):
            for hi in range(lo, len(places)):
                keep = set(places[lo:hi + 1])
                if not allowed[card] & keep:
                    continue
                after = alloc.restrict(card, keep)
                assert (after is not None) == brute_feasible(capacity, {**allowed, card: allowed[card] & keep})


def test_a_run_that_is_not_contiguous_is_refused():
    with pytest.raises(ValueError, match="not one contiguous run"):
        Deadlines.of({"a": 1, "b": 0, "c": 0}, {"x": {"a", "c"}})
