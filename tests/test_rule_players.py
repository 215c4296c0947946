"""The rule-based players do what their rules say at every decision of real games, judged by the real state."""
from __future__ import annotations

import random

import pytest

import games
from agent.evaluation.rule_players import QUEEN, SPADES, current_trick, danger, rule_player
from games.crazy_eights import DRAW, NOMINATE


def decisions(name: str, seeds: int = 4):
    """(state, the rule player's action) at every decision of games the rule player plays at every seat."""
    adapter = games.load(name)
    player = rule_player(adapter)
    for seed in range(seeds):
        rng, state = random.Random(seed), adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                outcomes, probs = zip(*state.chance_outcomes())
                state.apply_action(rng.choices(outcomes, probs)[0])
                continue
            action = player.act([(0, state)])[0]
            yield state.clone(), action
            state.apply_action(action)


def test_crazy_eights_rules_play_a_card_whenever_one_can():
    seen = 0
    for state, action in decisions("crazy_eights"):
        legal = state.legal_actions()
        assert action in legal
        plays = [a for a in legal if a < DRAW]
        if plays:
            seen += 1
            assert action < DRAW
            if any(a // 4 != 6 for a in plays):
                assert action // 4 != 6  # an eight only when nothing else plays
        if any(a >= NOMINATE for a in legal):
            assert action >= NOMINATE
    assert seen > 50


def test_hearts_rules_duck_and_dump():
    ducked = dumped = 0
    for state, action in decisions("hearts", seeds=3):
        legal = state.legal_actions()
        assert action in legal
        if len(state.history()) < 65 and state.history()[0] != 0:
            continue  # passing: checked through `danger` below
        trick = current_trick(state)
        if not trick:
            continue
        led = trick[0] % 4
        top = max(c // 4 for c in trick if c % 4 == led)
        if any(c % 4 == led for c in legal):
            under = [c for c in legal if c // 4 < top]
            if under:
                ducked += 1
                assert action // 4 < top and action // 4 == max(c // 4 for c in under)
        else:
            dumped += 1
            assert danger(action) == max(map(danger, legal))
            if QUEEN * 4 + SPADES in legal:
                assert action == QUEEN * 4 + SPADES
    assert ducked > 10 and dumped > 3


def test_other_games_have_no_rule_player():
    with pytest.raises(ValueError, match="no rule-based player for bridge; games with one: crazy_eights, hearts"):
        rule_player(games.load("bridge"))
