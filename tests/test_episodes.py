"""A replayed trace's kept decision tokens: each decision's full state as a fresh tokenizer reads it."""
from __future__ import annotations

import random

import pytest

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model.targets import make_batch
from tokenizer.tokenizer import Tokenizer


@pytest.mark.parametrize("game", ["leduc_poker", "hearts", "gin_rummy"])
def test_kept_decision_tokens_are_each_decisions_full_state(game):
    adapter = games.load(game)
    rng = random.Random(0)
    tr = trace(adapter, play_random(adapter, rng))
    tok = Tokenizer.for_game(adapter)
    order = list(range(tr.decisions))
    rng.shuffle(order)  # asked out of order: the first ask keeps the whole trace's
    for i in order:
        fresh = Tokenizer.for_game(adapter)  # its own empty stream: nothing kept from the trace's pass
        state = tr.states[i]
        assert tr.decision_tokens(tok, i).tolist() == full_tokens(fresh, state, state.current_player())


def test_a_batch_reads_the_kept_tokens_and_another_tokenizer_keeps_its_own():
    adapter = games.load("hearts")
    rng = random.Random(1)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(3)]
    samples = [(tr, rng.randrange(tr.decisions)) for tr in traces]
    tok, other = Tokenizer.for_game(adapter), Tokenizer.for_game(adapter)
    batch = make_batch(tok, samples, 2, 8, random.Random(0))
    for b, (tr, t) in enumerate(samples):
        state = tr.states[t]
        want = full_tokens(Tokenizer.for_game(adapter), state, state.current_player())
        row = batch.root[b].tolist()
        assert row[:len(want)] == want and set(row[len(want):]) <= {tok.pad}
        assert batch.root_sep[b] == want.index(tok.sep)
        assert tr.decision_tokens(other, t).tolist() == want and tr._tokens[0] is other
