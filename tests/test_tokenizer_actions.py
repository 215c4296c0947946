"""Action tokens round-trip for every legal action at every decision point, and bad sequences are refused."""
import random
import re

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


SUITS, RANKS = "CDHS", "23456789TJQKA"
SUIT_NAMES = {"♣": "C", "♦": "D", "♥": "H", "♠": "S", "clubs": "C", "diamonds": "D", "hearts": "H",
              "spades": "S"}
OPENSPIEL_WORDS = {"nil": "0", "dbl": "double", "rdbl": "redouble", "(bwj)": " black_joker ", "(cj)": " red_joker "}


def openspiel_content(text: str) -> dict:
    """What OpenSpiel's action string names, read independently of our tokenizer: cards as suit + rank ("3h" ->
    "H3", "AS" -> "SA", "HK"), numbers in order, suits named alone, ranks alone (dou_dizhu's "3334"), words."""
    text = re.sub(r"^player: \d+ action: ", "", text.strip().lower())
    text = re.sub(r"([♣♦♥♠])(10|[2-9tjqka])", lambda m: SUIT_NAMES[m[1]].lower() + m[2].replace("10", "t"),
                  text)  # bridge's "♥2", "♦10"
    for old, new in OPENSPIEL_WORDS.items():
        text = re.sub(rf"(?<![a-z]){re.escape(old)}(?![a-z])", new, text)
    out = {"cards": set(), "suits": set(), "numbers": [int(n) for n in re.findall(r"\d+", text)],
           "ranks": [], "words": text.split()}
    for word in re.findall(r"[a-z0-9♣♦♥♠_]+", text):
        w = word.upper()
        if len(w) == 2 and w[0] in RANKS and w[1] in SUITS:
            out["cards"].add(w[1] + w[0])
        elif len(w) == 2 and w[0] in SUITS and w[1] in RANKS:
            out["cards"].add(w)
        elif word in SUIT_NAMES:
            out["suits"].add(SUIT_NAMES[word])
    out["suits"] |= {SUIT_NAMES[c] for c in text if c in "♣♦♥♠"}
    if m := re.fullmatch(r"(?:nominate )?suit ([cdhs])", text):
        out["suits"].add(m[1].upper())
    if m := re.fullmatch(r"([3-9tjqka2]+)((?: (?:black|red)_joker)*)", text.replace(" ", " ").strip()):
        out["ranks"] = sorted(m[1].upper()) + sorted(m[2].split())
    return out


def check_words_against_openspiel(name: str, playthroughs: int, seed: int = 0) -> int:
    """Every legal action's words name the cards, numbers, suits and ranks OpenSpiel's action_to_string names,
    a one-word action is OpenSpiel's word, and go_fish's "1d" (ask player 1 for rank d) is `ask p+k R5`;
    returns how many actions had something to compare."""
    adapter = games.load(name)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(seed)
    compared = 0
    for _ in range(playthroughs):
        state = adapter.new_initial_state()
        for action in random_history(adapter, rng):
            if not state.is_chance_node():
                for a in state.legal_actions():
                    ours = tok.describe(tok.encode_action(state, a))[:-1]
                    compared += compare(name, state, state.action_to_string(state.current_player(), a), ours)
            state.apply_action(action)
    return compared


def compare(name: str, state, text: str, ours: list[str]) -> bool:
    """Assert that `ours` names what OpenSpiel's `text` names; whether there was anything to compare."""
    theirs = openspiel_content(text)
    our_cards = {w for w in ours if len(w) == 2 and w[0] in SUITS and w[1] in RANKS}
    our_numbers = [int(w[1:]) for w in ours if re.fullmatch(r"N\d+", w)]
    our_suits = {w[-1] for w in ours if w.startswith("suit_")}
    our_ranks = sorted(w[1] for w in ours if re.fullmatch(r"R[2-9TJQKA]", w)) + sorted(
        w for w in ours if w.endswith("_joker"))
    checks = []
    if theirs["cards"] or our_cards:
        checks.append(theirs["cards"] == our_cards)
    if our_numbers:
        checks.append(theirs["numbers"] == our_numbers)
    if theirs["suits"]:
        checks.append(theirs["suits"] == our_suits)
    if theirs["ranks"] and ours[0] == "play":
        checks.append(theirs["ranks"] == our_ranks)
    if len(ours) == 1 and len(theirs["words"]) == 1 and re.fullmatch(r"[a-z_]+", theirs["words"][0]):
        checks.append(ours[0] == theirs["words"][0])
    if name == "go_fish" and (m := re.fullmatch(r"(\d)([a-m])", text.strip())):
        offset = (int(m[1]) - state.current_player()) % state.num_players()
        checks.append(ours == ["ask", f"p+{offset}", "R" + RANKS["abcdefghijklm".index(m[2])]])
    assert all(checks), (name, text, ours, theirs)
    return bool(checks)


@pytest.mark.parametrize("name", games.supported())
def test_action_words_name_what_openspiel_names(name):
    assert check_words_against_openspiel(name, playthroughs=3) > 0


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
