"""The shared helpers for once-copied idioms, against independent references: `pad_rows` against hand-written
tensors, `sample_chance` against the real rules' chance probabilities."""
import collections
import itertools
import math
import random

import pytest
import torch

import games
from agent.model.tokens import pad_rows
from tokenizer import vocab

P = vocab.ids()[vocab.PAD]


def test_pad_rows_pads_on_the_right_to_the_longest_row():
    """Rows of different lengths (an empty one among them) are right-padded to the longest, as int64."""
    got = pad_rows([[5, 6, 7], [8], []])
    assert got.dtype == torch.int64 and got.device.type == "cpu"
    assert torch.equal(got, torch.tensor([[5, 6, 7], [8, P, P], [P, P, P]], dtype=torch.int64))


def test_pad_rows_pads_on_the_left_with_left():
    """`left=True` puts the padding before each row (prompts for left-to-right generation)."""
    got = pad_rows([[5, 6, 7], [8], []], left=True)
    assert torch.equal(got, torch.tensor([[5, 6, 7], [P, P, 8], [P, P, P]], dtype=torch.int64))


def test_pad_rows_width_option():
    """An explicit width pads every row to it on either side and refuses a row that does not fit."""
    assert torch.equal(pad_rows([[5, 6], [7]], width=4), torch.tensor([[5, 6, P, P], [7, P, P, P]]))
    assert torch.equal(pad_rows([[5, 6], [7]], width=4, left=True), torch.tensor([[P, P, 5, 6], [P, P, P, 7]]))
    assert torch.equal(pad_rows([[5, 6]], width=2), torch.tensor([[5, 6]]))
    with pytest.raises(ValueError, match="does not fit"):
        pad_rows([[5, 6, 7]], width=2)


def test_pad_rows_of_empty_rows_and_no_rows_keep_one_column():
    """Without a width the result has at least one column: all-empty rows become one <pad> each."""
    assert torch.equal(pad_rows([[], []]), torch.tensor([[P], [P]], dtype=torch.int64))
    none = pad_rows([])
    assert none.shape == (0, 1) and none.dtype == torch.int64


def test_pad_rows_on_a_device():
    """`device` places the result there."""
    got = pad_rows([[5], [6, 7]], device=torch.device("cpu"))
    assert got.device == torch.device("cpu") and got.tolist() == [[5, P], [6, 7]]


def test_sample_chance_deals_leduc_cards_by_their_real_probabilities():
    """Over 30,000 seeded deals, each (card 0, card 1) pair's frequency is within 5 standard errors (about 0.005)
    of its probability under OpenSpiel's `chance_outcomes()`, and every deal stops at player 0's first move."""
    adapter = games.load("leduc_poker")
    rng, n = random.Random(0), 30_000
    counts: collections.Counter = collections.Counter()
    for _ in range(n):
        state = adapter.new_initial_state()
        games.sample_chance(state, rng)
        assert not state.is_chance_node() and state.current_player() == 0
        counts[tuple(state.history())] += 1
    root = adapter.new_initial_state()
    want = {(a, b): p * q for a, p in root.chance_outcomes() for b, q in root.child(a).chance_outcomes()}
    assert math.isclose(sum(want.values()), 1.0) and set(counts) <= set(want)
    for pair, p in want.items():
        assert abs(counts[pair] / n - p) <= 5 * math.sqrt(p * (1 - p) / n), (pair, counts[pair] / n, p)


class Unequal:
    """A stand-in state: one chance node with outcomes 0, 1, 2 of probabilities 0.7, 0.2, 0.1, then the end."""

    PROBS = [(0, 0.7), (1, 0.2), (2, 0.1)]

    def __init__(self):
        """A fresh state at its chance node."""
        self.history: list[int] = []

    def is_chance_node(self) -> bool:
        """Chance moves until one outcome has been applied."""
        return not self.history

    def chance_outcomes(self) -> list[tuple[int, float]]:
        """The unequal outcomes."""
        return list(self.PROBS)

    def apply_action(self, action: int) -> None:
        """Record the outcome."""
        self.history.append(action)


def test_sample_chance_follows_unequal_probabilities_one_random_number_per_step():
    """Each chance step takes one `rng.random()` u and applies the first outcome whose cumulative probability
    exceeds u (what seeded runs have always drawn), so unequal outcomes come with their own frequencies."""
    rng, mirror = random.Random(7), random.Random(7)
    cumulative = list(itertools.accumulate(p for _, p in Unequal.PROBS))
    counts = collections.Counter()
    n = 20_000
    for _ in range(n):
        state = Unequal()
        games.sample_chance(state, rng)
        u = mirror.random()
        assert state.history == [next(o for (o, _), c in zip(Unequal.PROBS, cumulative) if u < c)]
        counts[state.history[0]] += 1
    assert rng.getstate() == mirror.getstate()
    for o, p in Unequal.PROBS:
        assert abs(counts[o] / n - p) <= 5 * math.sqrt(p * (1 - p) / n), (o, counts[o] / n, p)


def test_sample_chance_stops_at_the_next_decision_and_leaves_decisions_alone():
    """Mid-game it deals only leduc's public card, then stops; at a decision node it changes and draws nothing."""
    adapter = games.load("leduc_poker")
    rng, mirror = random.Random(3), random.Random(3)
    state = adapter.new_initial_state()
    games.sample_chance(state, rng)
    assert len(state.history()) == 2 and state.current_player() == 0
    mirror.random(), mirror.random()  # one draw per card dealt
    assert rng.getstate() == mirror.getstate()
    before = list(state.history())
    games.sample_chance(state, rng)  # a decision node: nothing to do
    assert state.history() == before and rng.getstate() == mirror.getstate()
    state.apply_action(1)  # call
    state.apply_action(1)  # call: the first round ends and the public card is dealt next
    assert state.is_chance_node()
    games.sample_chance(state, rng)
    assert len(state.history()) == 5 and not state.is_chance_node() and not state.is_terminal()
    assert state.history()[-1] not in state.history()[:2]  # a card still in the deck


def test_sample_chance_leaves_terminal_states_alone():
    """A finished game is not changed and no random number is drawn."""
    adapter = games.load("leduc_poker")
    state = adapter.new_initial_state()
    for a in (0, 1, 2, 0):  # deal cards 0 and 1, player 0 raises, player 1 folds
        state.apply_action(a)
    assert state.is_terminal()
    rng = random.Random(0)
    before = rng.getstate()
    games.sample_chance(state, rng)
    assert state.history() == [0, 1, 2, 0] and rng.getstate() == before
