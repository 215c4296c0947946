"""Replay: FIFO capacity by decisions, sampling weights counted against the stored iterations, save and load."""
import collections
import random

import pytest

import games
from agent.episodes import play_random
from agent.training.replay import Replay


def filled(weighting: str, capacity: int = 10_000) -> Replay:
    """A replay of 12 random leduc games, three from each of iterations 1 to 4."""
    adapter, rng = games.load("leduc_poker"), random.Random(0)
    replay = Replay(adapter, capacity, weighting)
    for it in range(1, 5):
        replay.add([play_random(adapter, rng) for _ in range(3)], it)
    return replay


@pytest.mark.parametrize("weighting", ["uniform", "linear"])
def test_decisions_are_drawn_in_proportion_to_their_weight(weighting):
    replay = filled(weighting)
    weight = {id(t): t.decisions * (it if weighting == "linear" else 1)
              for t, it in zip(replay.traces, replay.iterations)}
    n, total = 40_000, sum(weight.values())
    counts = collections.Counter(id(t) for t, i in replay.sample(n, random.Random(1)))
    for key, w in weight.items():
        p = w / total  # each episode's share; four standard deviations of a binomial count
        assert abs(counts[key] - n * p) <= 4 * (n * p * (1 - p)) ** 0.5 + 1, (weighting, p, counts[key] / n)


def test_capacity_drops_the_oldest_and_save_load_keeps_the_iterations(tmp_path):
    full = filled("linear")
    kept = filled("linear", capacity=full.decisions - full.traces[0].decisions - full.traces[1].decisions)
    assert list(kept.iterations) == list(full.iterations)[2:]
    assert [t.episode.history for t in kept.traces] == [t.episode.history for t in full.traces][2:]
    kept.save(tmp_path / "replay.jsonl")
    again = Replay(kept.adapter, kept.capacity, "linear")
    again.load(tmp_path / "replay.jsonl")
    assert list(again.iterations) == list(kept.iterations) and again.decisions == kept.decisions
    assert [t.episode.history for t in again.traces] == [t.episode.history for t in kept.traces]


def test_refusals_say_what_is_accepted():
    adapter = games.load("kuhn_poker")
    with pytest.raises(ValueError, match="uniform, linear"):
        Replay(adapter, 10, "recent")
    with pytest.raises(ValueError, match="from 1"):
        Replay(adapter, 10).add([], 0)
