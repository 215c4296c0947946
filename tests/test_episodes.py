"""A replayed trace's kept tokens: each decision as a fresh tokenizer reads it, and the batches made from them."""
from __future__ import annotations

import random

import pytest

import games
from agent.episodes import events_between, full_tokens, outcome_tokens, play_random, trace
from agent.model.targets import make_batch
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer


@pytest.mark.parametrize("game", ["leduc_poker", "hearts", "gin_rummy"])
def test_kept_tokens_are_each_decision_as_a_fresh_tokenizer_reads_it(game):
    adapter = games.load(game)
    rng = random.Random(0)
    tr = trace(adapter, play_random(adapter, rng))
    kept = tr.tokens(Tokenizer.for_game(adapter), seats=True)
    n = adapter.num_players
    for i in range(tr.decisions):
        fresh = Tokenizer.for_game(adapter)  # its own empty stream: nothing carried over from the trace's pass
        state = tr.states[i]
        assert kept.full[i].tolist() == full_tokens(fresh, state, state.current_player())
        assert [x.tolist() for x in kept.seats[i]] == [full_tokens(fresh, state, p) for p in range(n)]
        if adapter.has_view:
            assert [h.tolist() for h in kept.holdings[i]] == fresh.holdings(state, 0)
            assert [kept.holdings[i][(2 + j) % n].tolist() for j in range(n)] == fresh.holdings(state, 2 % n)
        assert [t.tolist() for t in kept.table[i]] == (fresh.table(state) if adapter.table_words else [])
        after = state.child(tr.actions[i])
        assert [e.tolist() for e in kept.events[i]] == [events_between(fresh, after, tr.states[i + 1], p)
                                                        for p in range(n)]


def test_a_batch_reads_the_kept_tokens_and_another_tokenizer_keeps_its_own():
    adapter = games.load("hearts")
    rng = random.Random(1)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(3)]
    samples = [(tr, rng.randrange(tr.decisions - 2)) for tr in traces]
    tok, other = Tokenizer.for_game(adapter), Tokenizer.for_game(adapter)
    batch = make_batch(tok, samples, 2, 8, random.Random(0), next_roots=True)
    for b, (tr, t) in enumerate(samples):
        fresh, state = Tokenizer.for_game(adapter), tr.states[t]
        me = state.current_player()
        want = full_tokens(fresh, state, me)
        row = batch.root[b].tolist()
        assert row[:len(want)] == want and set(row[len(want):]) <= {tok.pad}
        assert batch.root_sep[b] == want.index(tok.sep)
        for k in range(3):  # what each seat holds at each unrolled step, seat 0 the root player's
            for j, ids in enumerate(fresh.holdings(tr.states[t + k], me)):
                assert sorted(batch.holding[b, k, j].nonzero().flatten().tolist()) == sorted(ids)
        for k in (1, 2):  # each unrolled step's real state, from the root player's seat
            later = full_tokens(fresh, tr.states[t + k], me)
            assert batch.next_roots[b, k - 1].tolist() == later + [tok.pad] * (batch.next_roots.shape[-1] - len(later))
        events = events_between(fresh, state.child(tr.actions[t]), tr.states[t + 1], me)
        assert batch.chance_events[b, 0].tolist()[:len(events)] == events
        assert tr.tokens(other).full[t].tolist() == want and tr._tokens[0] is other


@pytest.mark.parametrize("game", ["hearts", "spades", "oh_hell", "euchre", "skat", "bridge"])
def test_what_a_play_caused_names_the_seat_the_rules_say_leads_next(game):
    """A trick's last card causes `pK take` (a bare take: a dealer's or skat's take names cards), whose seat is
    whom OpenSpiel has act next (in bridge, or that seat's partner: the declarer plays the dummy's cards); the
    action's own words are never among what it caused."""
    adapter = games.load(game)
    tr = trace(adapter, play_random(adapter, random.Random(2)))
    tok, n, takes = Tokenizer.for_game(adapter), adapter.num_players, 0
    for i in range(tr.decisions - 1):
        state, nxt = tr.states[i], tr.states[i + 1]
        own = tok.describe(tok.encode_action(state, tr.actions[i]))[:-1]
        for p in range(n):
            caused = tok.describe(tok.outcome(state, tr.actions[i], p)[0])
            assert caused[1:1 + len(own)] != own or not caused
            if caused[-1:] == ["take"]:  # a trick ended
                taker = (vocab.SEATS.index(caused[-2]) + p) % n
                assert nxt.current_player() in ({taker, (taker + 2) % 4} if game == "bridge" else {taker})
                takes += p == 0
            else:
                assert "take" not in caused or caused[caused.index("take") + 1:]  # a take that names cards
        kept = tr.tokens(tok, outcomes=True).outcomes[i]
        assert [x.tolist() for x in kept] == [outcome_tokens(Tokenizer.for_game(adapter), state, tr.actions[i], nxt, p)
                                             for p in range(n)]
    assert takes >= 4  # the random game had tricks enough to check


def test_a_batch_reads_outcomes_where_asked():
    adapter = games.load("hearts")
    rng = random.Random(3)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(3)]
    samples = [(tr, t) for tr in traces for t in range(12, tr.decisions - 2, 3)]  # the play, every third step
    tok = Tokenizer.for_game(adapter)
    batch = make_batch(tok, samples, 2, 8, random.Random(0), outcomes=True)
    plain = make_batch(tok, samples, 2, 8, random.Random(0))
    take = vocab.ids()["take"]
    for b, (tr, t) in enumerate(samples):
        me = tr.states[t].current_player()
        for k in range(2):
            want = outcome_tokens(tok, tr.states[t + k], tr.actions[t + k], tr.states[t + k + 1], me)
            row = batch.chance_events[b, k].tolist()
            assert row[:len(want)] == want and set(row[len(want):]) <= {tok.pad}
    assert (batch.chance_events == take).any() and not (plain.chance_events == take).any()  # a trick's taker


def test_a_batch_asks_each_seats_bid_and_tricks_seat_by_seat_from_the_root_player():
    adapter = games.load("spades")
    rng = random.Random(4)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(3)]
    samples = [(tr, t) for tr in traces for t in (0, 3, rng.randrange(4, tr.decisions - 2))]  # the bids, the play
    tok = Tokenizer.for_game(adapter)
    batch = make_batch(tok, samples, 2, 8, random.Random(0))
    S, seen = len(adapter.seat_words), 0
    for b, (tr, t) in enumerate(samples):
        me = tr.states[t].current_player()
        for k in range(3):
            fresh = Tokenizer.for_game(adapter).seat_facts(tr.states[t + k], me)
            for j in range(adapter.num_players):
                for w in range(S):
                    assert batch.facts[b, k, j * S + w].nonzero().flatten().tolist() == sorted(fresh[j][w])
                    seen += bool(fresh[j][w])
    assert seen > 20
