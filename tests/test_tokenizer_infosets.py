"""Observation tokens are leak-free and complete, and observation + hidden tokens determine the state.

Judged against OpenSpiel's information-state strings (or action-observation
histories) on random playthroughs and on histories that differ from them in
one step (the hardest pairs to tell apart). A player's tokens are compared at
that player's decision nodes, where OpenSpiel's information sets matter
(some games' strings ignore time while the player waits).
"""
import random

import pytest

import games
from tests.infosets import perturb, random_history, replay
from tokenizer import Tokenizer

CARD_GAMES = games.supported()
FALLBACK_GAMES = ["tic_tac_toe", "phantom_ttt", "cribbage"]  # cribbage: strings only


def check_game(name: str, playthroughs: int, perturbations: int, seed: int = 0, max_len: int = 300) -> None:
    """Assert the three tokenizer properties on random playthroughs of `name` and their one-step perturbations."""
    adapter = games.load(name)
    tok = Tokenizer.for_game(adapter)
    n = adapter.num_players
    rng = random.Random(seed)
    by_tokens: dict = {}  # (player, obs tokens) -> reference key
    by_key: dict = {}  # (player, reference key) -> obs tokens
    for _ in range(playthroughs):
        base = random_history(adapter, rng, max_len)
        variants = [base] + [v for v in (perturb(adapter, base, rng) for _ in range(perturbations)) if v]
        views = []  # per variant: list over prefixes of (obs, hidden, keys)
        for history in variants:
            view = []
            for state, keys in replay(adapter, history):
                if state.current_player() < 0:  # compare where a player acts: that is where policies need it
                    continue
                obs = [tuple(tok.encode_observation(state, p)) for p in range(n)]
                hid = [tuple(tok.encode_hidden(state, p)) for p in range(n)]
                view.append((obs, hid, keys))
                p = state.current_player()
                seen = by_tokens.setdefault((p, obs[p]), keys[p])
                assert seen == keys[p], (
                    f"{name}: player {p} gets the same tokens in two information sets:\n"
                    f"{' '.join(tok.describe(obs[p]))}\nkeys:\n{seen!r}\n{keys[p]!r}")
                known = by_key.setdefault((p, keys[p]), obs[p])
                assert known == obs[p], (
                    f"{name}: player {p} gets different tokens in one information set {keys[p]!r}:\n"
                    f"{' '.join(tok.describe(known))}\n{' '.join(tok.describe(obs[p]))}")
            views.append(view)
        first = views[0]
        for view in views[1:]:
            for (obs_a, hid_a, keys_a), (obs_b, hid_b, keys_b) in zip(first, view):
                for p in range(n):
                    if obs_a[p] == obs_b[p] and hid_a[p] == hid_b[p]:
                        assert keys_a == keys_b, (
                            f"{name}: observation + hidden of player {p} coincide but some player's "
                            f"information set differs:\n{' '.join(tok.describe(obs_a[p] + hid_a[p]))}")


@pytest.mark.parametrize("name", CARD_GAMES + FALLBACK_GAMES)
def test_infosets_quick(name):
    check_game(name, playthroughs=4, perturbations=6)


@pytest.mark.slow
@pytest.mark.parametrize("name", CARD_GAMES + FALLBACK_GAMES)
def test_infosets_100(name):
    check_game(name, playthroughs=100, perturbations=10, seed=1)


def _hand_in_observation_string(text: str) -> set[str]:
    """crazy_eights: the cards under OpenSpiel's 'Currently I have:', one line per suit with a column per rank
    ('Suit C:    5 78 ' holds C5, C7 and C8)."""
    cards = set()
    for line in text.split("Currently I have:")[1].splitlines()[1:5]:
        suit, ranks = line.split(":")
        cards |= {suit.strip()[-1] + r for r in ranks if r != " "}
    return cards


@pytest.mark.parametrize("name", ["crazy_eights"])
def test_holdings_are_every_seats_hand_as_openspiel_shows_it_to_its_owner(name):
    """Seat j of `holdings(state, p)` is seat p + j's hand, as OpenSpiel's own observation string lists it."""
    adapter = games.load(name)
    tok, n, rng, checked = Tokenizer.for_game(adapter), adapter.num_players, random.Random(0), 0
    for _ in range(5):
        for state, _ in replay(adapter, random_history(adapter, rng, 200)):
            if state.current_player() < 0 or "Currently I have:" not in state.observation_string(0):
                continue
            hands = [_hand_in_observation_string(state.observation_string(p)) for p in range(n)]
            for p in range(n):
                held = tok.holdings(state, p)
                assert [set(tok.describe(ids)) for ids in held] == [hands[(p + j) % n] for j in range(n)]
            checked += 1
    assert checked > 50


def test_holdings_are_empty_where_the_game_shows_no_view():
    adapter = games.load("leduc_poker")
    tok, rng = Tokenizer.for_game(adapter), random.Random(0)
    for state, _ in replay(adapter, random_history(adapter, rng, 50)):
        if state.current_player() >= 0:
            assert tok.holdings(state, state.current_player()) == [[], []]


def test_the_table_is_what_openspiel_says_is_on_it():
    """crazy_eights' table words: `top` is OpenSpiel's previous card (with the named suit after an eight),
    `stock` its cards left in the deck, `draw` how many times the player to move has drawn this turn (counted
    in OpenSpiel's history; absent before the first draw)."""
    adapter = games.load("crazy_eights")
    tok, rng, checked, drew = Tokenizer.for_game(adapter), random.Random(1), 0, 0
    assert adapter.table_words == ("top", "stock", "draw")
    for _ in range(5):
        for state, _ in replay(adapter, random_history(adapter, rng, 200)):
            said = state.observation_string(0)
            if state.current_player() < 0 or "Previous card:" not in said:
                continue
            card = said.split("Previous card: ")[1].split()[0]
            suit = said.split("Previous suit: ")[1].split()[0]
            stock = str(state).split("Number of cards left in deck: ")[1].split()[0]
            draws = 0
            for step in reversed(state.full_history()):
                if step.player == state.current_player() and step.action == 52:  # its draws this turn
                    draws += 1
                elif step.player >= 0:
                    break
            top, left, drawn = (tok.describe(ids) for ids in tok.table(state))
            nominating = min(state.legal_actions()) >= 54  # the eight is down, its suit not yet named
            assert top == ([card, f"suit_{suit}"] if card[1] == "8" and not nominating else [card])
            assert left == [f"N{stock}"] and drawn == ([f"N{draws}"] if draws else [])
            checked += 1
            drew += draws > 1
    assert checked > 50 and drew > 5


def test_hearts_view_shows_each_seats_points_as_openspiel_counts_them():
    """hearts' `points Nk` per seat (relative to the observer) are the points OpenSpiel's information state lists."""
    adapter = games.load("hearts")
    tok, rng, checked = Tokenizer.for_game(adapter), random.Random(2), 0
    for _ in range(3):
        for state, _ in replay(adapter, random_history(adapter, rng, 200)):
            if state.current_player() < 0 or "Points:" not in state.information_state_string(0):
                continue
            lines = state.information_state_string(0).split("Points:\n")[1].splitlines()
            real = [int(line.split(":")[1]) for line in lines[:4]]  # seats N E S W = 0..3
            words = tok.describe(tok.encode_observation(state, 0))
            view = words[words.index("<view>"):]
            shown = [0] * 4
            for i, w in enumerate(view):
                if w == "points":
                    seat = 0 if view[i - 1] == "me" else int(view[i - 1][2:])
                    shown[seat] = int(view[i + 1][1:])
            assert shown == real
            checked += 1
    assert checked > 100
