"""Action tokens round-trip for every legal action at every decision point, and bad sequences are refused."""
import random

import pytest

import games
from tests.infosets import random_history
from tokenizer import Tokenizer, vocab

GAMES = games.supported() + ["tic_tac_toe", "phantom_ttt"]



def check_round_trip(name: str, playthroughs: int, seed: int = 0) -> None:
    """decode(encode(s, a), s) == a for every legal a at every decision node of random playthroughs."""
    adapter = games.load(name)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(seed)
    for _ in range(playthroughs):
        state = adapter.new_initial_state()
        for action in random_history(adapter, rng):
            if not state.is_chance_node():
                legal = state.legal_actions()
                written = {}
                for a in legal:
                    ids = tok.encode_action(state, a)
                    assert ids[-1] == tok.eos and tok.eos not in ids[:-1]
                    assert tok.decode_action(ids, state) == a, (name, a, tok.describe(ids))
                    written.setdefault(tuple(ids), a)
                assert len(written) == len(legal), f"{name}: two legal actions share one token sequence"
            state.apply_action(action)


@pytest.mark.parametrize("name", GAMES)
def test_action_round_trip(name):
    check_round_trip(name, playthroughs=3)


@pytest.mark.slow
@pytest.mark.parametrize("name", GAMES)
def test_action_round_trip_100(name):
    check_round_trip(name, playthroughs=100, seed=1)


def test_bad_action_sequences_are_refused():
    tok = Tokenizer.for_game("leduc_poker")
    state = tok.adapter.new_initial_state()
    state.apply_action(0)
    state.apply_action(1)
    ids = vocab.ids()
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.decode_action([vocab.size() + 5, tok.eos], state)
    with pytest.raises(ValueError, match="not an action of leduc_poker"):
        tok.decode_action([ids["play"], ids["SA"], tok.eos], state)
    with pytest.raises(ValueError, match="empty"):
        tok.decode_action([tok.eos], state)
    with pytest.raises(ValueError, match="no action 7"):
        tok.encode_action(state, 7)
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.describe([-1])


def test_action_of_another_phase_is_refused():
    """Hearts writes card 5 as 'pass ...' while passing and 'play ...' later: the wrong verb is refused."""
    tok = Tokenizer.for_game("hearts")
    state = tok.adapter.new_initial_state()
    state.apply_action(1)  # pass to the left (outcome 0 means no passing)
    while state.is_chance_node():
        state.apply_action(state.chance_outcomes()[0][0])
    assert tok.adapter.phase(state) == "pass"
    action = state.legal_actions()[0]
    passing = tok.encode_action(state, action)
    playing = [vocab.ids()["play"]] + passing[1:]
    assert tok.decode_action(passing, state) == action
    with pytest.raises(ValueError, match="phase 'pass'"):
        tok.decode_action(playing, state)
    assert tok.decode_action(playing) == action  # without a state, the words alone name the action
