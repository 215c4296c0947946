"""Belief-quality figures against independent judges: Bayes' rule worked by hand on Kuhn poker, OpenSpiel's own
information states, stand-in beliefs whose distance is known, and the real rules for sampled hidden states."""
from __future__ import annotations

import math
import random

import pytest
import torch
from open_spiel.python import policy as os_policy

import agent.evaluation.beliefs as bq
import games
from agent.episodes import play_random, trace
from agent.evaluation.beliefs import consistency_share, exact_posteriors, posterior_distance
from agent.model import EOS, PAD, SEP, Model
from agent.model.config import GameSpec, preset
from tokenizer.tokenizer import Tokenizer

J, Q, K = 0, 1, 2  # kuhn_poker's chance outcomes: the card dealt
PASS, BET = 0, 1


@pytest.fixture(scope="module")
def kuhn():
    return Tokenizer.for_game("kuhn_poker")


def kuhn_state(tok, p0, p1, *moves):
    state = tok.adapter.new_initial_state()
    for a in (p0, p1, *moves):
        state.apply_action(a)
    return state


def info(tok, p0, p1, *moves):
    """The acting player's observation tokens after the deal and `moves`."""
    state = kuhn_state(tok, p0, p1, *moves)
    return tuple(tok.encode_observation(state, state.current_player()))


def card(tok, c, seen_by):
    """Hidden tokens of `seen_by` when the opponent holds card c (read from a real state)."""
    other = (c + 1) % 3
    state = kuhn_state(tok, c, other) if seen_by == 1 else kuhn_state(tok, other, c)
    return tuple(tok.encode_hidden(state, seen_by))


def first_bet(probs):
    """Player 0 bets at the first decision with probability probs[card]; every other decision is uniform."""
    def policy(state):
        legal = state.legal_actions()
        if len(state.history()) == 2:
            bet = probs[state.history()[0]]
            return {PASS: 1.0 - bet, BET: bet}
        return {a: 1.0 / len(legal) for a in legal}
    return policy


def test_uniform_kuhn_posteriors_and_reach_agree_with_a_hand_computation(kuhn):
    post, reach = exact_posteriors(kuhn)
    assert len(post) == len(reach) == 12
    assert all(math.isclose(sum(d.values()), 1.0) for d in post.values())
    # player 1 holds the Jack after player 0 passed: the Queen and the King are equally likely
    assert post[info(kuhn, Q, J, PASS)] == pytest.approx({card(kuhn, Q, 1): 0.5, card(kuhn, K, 1): 0.5})
    roots = {info(kuhn, c, (c + 1) % 3) for c in (J, Q, K)}
    assert [reach[o] for o in roots] == pytest.approx([1 / 3] * 3)
    seconds = {info(kuhn, c, o, m) for c in (J, Q, K) for o in (J, Q, K) if o != c for m in (PASS, BET)}
    assert len(seconds) == 6 and sum(reach[o] for o in seconds) == pytest.approx(1.0)  # player 1 acts once a game
    thirds = {info(kuhn, c, (c + 1) % 3, PASS, BET) for c in (J, Q, K)}
    assert sum(reach[o] for o in thirds) == pytest.approx(0.25)
    # OpenSpiel's uniform policy is the default
    uniform = os_policy.UniformRandomPolicy(kuhn.adapter.game).action_probabilities
    post2, reach2 = exact_posteriors(kuhn, uniform)
    assert post2.keys() == post.keys() and all(post2[o] == pytest.approx(post[o]) for o in post)
    assert reach2 == pytest.approx(reach)


def test_kuhn_posteriors_follow_bayes_rule_under_a_biased_profile(kuhn):
    # player 0 bets only with the King
    post, reach = exact_posteriors(kuhn, first_bet({J: 0.0, Q: 0.0, K: 1.0}))
    assert post[info(kuhn, K, J, BET)] == pytest.approx({card(kuhn, K, 1): 1.0})
    assert post[info(kuhn, K, Q, BET)] == pytest.approx({card(kuhn, K, 1): 1.0})
    assert info(kuhn, J, K, BET) not in post  # no history reaches it: dropped
    assert post[info(kuhn, Q, J, PASS)] == pytest.approx({card(kuhn, Q, 1): 1.0})
    assert post[info(kuhn, J, K, PASS)] == pytest.approx({card(kuhn, J, 1): 0.5, card(kuhn, Q, 1): 0.5})
    assert reach[info(kuhn, K, J, BET)] == pytest.approx(1 / 6)
    # mixed: the King always, the Queen a third of the time, the Jack never
    post, reach = exact_posteriors(kuhn, first_bet({J: 0.0, Q: 1 / 3, K: 1.0}))
    assert post[info(kuhn, Q, J, BET)] == pytest.approx({card(kuhn, Q, 1): 0.25, card(kuhn, K, 1): 0.75})
    assert post[info(kuhn, J, K, PASS)] == pytest.approx({card(kuhn, J, 1): 0.6, card(kuhn, Q, 1): 0.4})
    assert reach[info(kuhn, Q, J, BET)] == pytest.approx(1 / 3 * 1 / 2 * (1 / 3 + 1))
    assert reach[info(kuhn, Q, J, PASS, BET)] == pytest.approx(1 / 3 * 2 / 3 * 1 / 2)
    assert sum(reach[info(kuhn, c, (c + 1) % 3)] for c in (J, Q, K)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="sum to"):
        exact_posteriors(kuhn, lambda state: {a: 0.4 for a in state.legal_actions()})


def test_leduc_posteriors_are_keyed_by_openspiel_information_states():
    tok = Tokenizer.for_game("leduc_poker")
    post, reach = exact_posteriors(tok)
    pairs = set()

    def walk(state):
        if state.is_terminal():
            return
        if not state.is_chance_node():
            p = state.current_player()
            pairs.add((tuple(tok.encode_observation(state, p)), state.information_state_string()))
        for a in (o for o, _ in state.chance_outcomes()) if state.is_chance_node() else state.legal_actions():
            walk(state.child(a))

    walk(tok.adapter.new_initial_state())
    keys, strings = zip(*pairs)
    assert len(set(keys)) == len(set(strings)) == len(pairs) == len(post) == 936  # one key per infoset
    assert set(keys) == post.keys() == reach.keys()
    assert all(math.isclose(sum(d.values()), 1.0) for d in post.values())
    # player 0 acts first in every game: its first infosets (one per private card) have reach 1 together
    first = [o for o in post if len(o) == len(min(post, key=len))]
    assert sum(reach[o] for o in first) == pytest.approx(1.0)


class TableBelief:
    """A stand-in for b: log b(hidden | obs) looked up in `table(obs)` = {hidden: probability}."""

    def __init__(self, table):
        self.table = table

    def belief_log_prob(self, tokens, sep_index):
        out = []
        for row, s in zip(tokens.tolist(), sep_index.tolist()):
            row = [t for t in row if t != PAD]
            assert row[s] == SEP and row[-1] == EOS
            p = self.table(tuple(row[:s])).get(tuple(row[s + 1:-1]), 0.0)
            out.append(math.log(p) if p > 0 else -math.inf)
        return torch.tensor(out), torch.ones(len(out), dtype=torch.long)


def test_posterior_distance_against_beliefs_of_known_distance(kuhn):
    post, reach = exact_posteriors(kuhn)
    cards = [card(kuhn, c, 1) for c in (J, Q, K)]  # the same words whoever holds them

    def dist(table, p=post, r=reach):
        return posterior_distance(TableBelief(table), kuhn, p, r, batch_size=5)

    exact = dist(lambda obs: post[obs])
    assert exact["infosets"] == 12 and exact["tv_max"] == pytest.approx(0.0, abs=1e-9)
    # uniform over the three cards when the opponent holds one of two: 0.5 * (1/6 + 1/6 + 1/3) = 1/3 everywhere
    uniform = dist(lambda obs: {h: 1 / 3 for h in cards})
    assert uniform["tv_mean"] == pytest.approx(1 / 3) and uniform["tv_max"] == pytest.approx(1 / 3)
    # a quarter of the mass on no card at all counts: 0.5 * (1/4 + 1/4 + 1/4 + 1/4) = 1/2
    assert dist(lambda obs: {h: 1 / 4 for h in cards})["tv_mean"] == pytest.approx(0.5)
    # exact for player 0 (infosets of total reach 1 + 1/4), uniform for player 1 (total reach 1): weighted by reach
    mixed = dist(lambda obs: post[obs] if "pos0" in kuhn.describe(obs) else {h: 1 / 3 for h in cards})
    assert mixed["tv_mean"] == pytest.approx((1 / 3) / 2.25) and mixed["tv_max"] == pytest.approx(1 / 3)
    # a biased profile: an exact b is still at 0, a uniform one is 2/3 from a point-mass posterior
    post_b, reach_b = exact_posteriors(kuhn, first_bet({J: 0.0, Q: 0.0, K: 1.0}))
    assert dist(lambda obs: post_b[obs], post_b, reach_b)["tv_max"] == pytest.approx(0.0, abs=1e-9)
    assert dist(lambda obs: {h: 1 / 3 for h in cards}, post_b, reach_b)["tv_max"] == pytest.approx(2 / 3)


def test_posterior_distance_of_an_untrained_model(kuhn):
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(kuhn.adapter)).eval()
    post, reach = exact_posteriors(kuhn)
    d = posterior_distance(model, kuhn, post, reach)
    assert 0.0 < d["tv_mean"] <= d["tv_max"] <= 1.0 and d["infosets"] == 12
    small = posterior_distance(model, kuhn, post, reach, batch_size=5)  # other padding, same figures
    assert small["tv_mean"] == pytest.approx(d["tv_mean"], abs=1e-5)
    assert small["tv_max"] == pytest.approx(d["tv_max"], abs=1e-5)


@pytest.fixture(scope="module")
def hearts_states():
    adapter = games.load("hearts")
    rng = random.Random(0)
    return [tr.states[t] for tr in (trace(adapter, play_random(adapter, rng)) for _ in range(2))
            for t in range(0, tr.decisions, 8)]


def fake_sampler(answer, calls):
    def sample(model, observations, n=1, *, max_len=None, generator=None):
        calls.append(len(observations))
        return [[list(answer(tuple(o)))] * n for o in observations]
    return sample


def test_consistency_share_with_the_real_hidden_state_or_another_games(monkeypatch, hearts_states):
    tok = Tokenizer.for_game("hearts")
    seats = [s.current_player() for s in hearts_states]
    obs = [tuple(tok.encode_observation(s, p)) for s, p in zip(hearts_states, seats)]
    truth = dict(zip(obs, (tok.encode_hidden(s, p) for s, p in zip(hearts_states, seats))))
    assert len(truth) == len(hearts_states)
    calls = []
    monkeypatch.setattr(bq, "sample_hidden", fake_sampler(truth.__getitem__, calls))
    real = consistency_share(None, tok, hearts_states, samples=3)
    assert real == {"share": 1.0, "drawn": 3 * len(hearts_states), "states": len(hearts_states)}
    assert calls == [len(hearts_states)]  # one batched call for all states
    # the hidden cards of a state from the other game (its first half against the second, and back)
    half = len(obs) // 2
    swapped = dict(zip(obs, [truth[o] for o in obs[half:] + obs[:half]]))
    monkeypatch.setattr(bq, "sample_hidden", fake_sampler(swapped.__getitem__, calls))
    assert consistency_share(None, tok, hearts_states, samples=2, states_per_batch=5)["share"] == 0.0
    assert calls[1:] == [5] * (len(hearts_states) // 5) + ([len(hearts_states) % 5] if len(hearts_states) % 5 else [])
    with pytest.raises(ValueError, match="decision states"):
        consistency_share(None, tok, [tok.adapter.new_initial_state()])


def test_consistency_share_counts_draws_of_the_card_the_player_holds_as_impossible(monkeypatch, kuhn):
    states = [kuhn_state(kuhn, c, o, m) for c in (J, Q, K) for o in (J, Q, K) if o != c for m in (PASS, BET)]

    def every_card(model, observations, n=1, *, max_len=None, generator=None):
        return [[list(card(kuhn, c, 1)) for c in (J, Q, K)] for _ in observations]

    monkeypatch.setattr(bq, "sample_hidden", every_card)
    assert consistency_share(None, kuhn, states, samples=3)["share"] == pytest.approx(2 / 3)  # one of three is held
    monkeypatch.undo()
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(kuhn.adapter)).eval()
    got = consistency_share(model, kuhn, states, samples=4, generator=torch.Generator().manual_seed(0), max_len=3)
    assert got["drawn"] == 4 * len(states) and 0.0 <= got["share"] <= 1.0
