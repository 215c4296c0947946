"""The views of the trick-taking games (spades, oh_hell, bridge, euchre, skat) against OpenSpiel.

At every decision state of a few random playthroughs: each seat's `hand` in the player's views (their own seen,
the others' unseen) is the hand OpenSpiel's strings (or euchre's bindings) give that seat; the tricks or card
points the view shows per seat are what OpenSpiel's strings or returns count; the `trick` is the cards played
since the last full trick (counted in OpenSpiel's history); bids, contracts and trump are what OpenSpiel says. The
hidden tokens describe a possible world. And the games keep a window of the history beside the view.
"""
from __future__ import annotations

import collections
import random

import pytest

import games
from games.cards import CARDS
from games.worlds import is_consistent
from tests import test_window
from tests.infosets import random_history, replay
from tokenizer import Tokenizer

GAMES = ["spades", "oh_hell", "bridge", "euchre", "skat"]
SEATS = ["me", "p+1", "p+2", "p+3"]


def views(tok: Tokenizer, state, p: int) -> tuple[list[str], list[str], list[str]]:
    """(seen view words, unseen view words, hidden words) of player p."""
    obs, hidden = (tok.describe(x) for x in (tok.encode_observation(state, p), tok.encode_hidden(state, p)))
    seen = obs[obs.index("<view>") + 1:] if "<view>" in obs else []
    unseen = hidden[hidden.index("<view>") + 1:] if "<view>" in hidden else []
    return seen, unseen, hidden


def events(words: list[str]) -> list[tuple[str | None, str, list[str]]]:
    """View words as (seat word or None, verb, payload): a seat word opens a seat event; payload words are cards,
    numbers, suits and the like (anything that is neither a seat word nor a verb that follows one)."""
    out, i = [], 0
    verbs = {"hand", "bid", "tricks", "trick", "trump", "points", "contract", "alone", "top", "pass", "discard"}
    while i < len(words):
        seat = words[i] if words[i] in SEATS else None
        i += seat is not None
        verb, i = words[i], i + 1
        j = i
        while j < len(words) and words[j] not in SEATS and words[j] not in verbs:
            j += 1
        out.append((seat, verb, words[i:j]))
        i = j
    return out


def seat_facts(seen: list[str], unseen: list[str], n: int, p: int) -> dict[str, dict[int, list[str]]]:
    """verb -> absolute seat -> payload of the seat events in both parts of p's view (the unseen part's payloads
    of masked events come after its seat events: only hands are seat events with hidden payloads here)."""
    facts: dict[str, dict[int, list[str]]] = collections.defaultdict(dict)
    for seat, verb, payload in events(seen) + events(unseen):
        if seat is not None and "?" not in payload:
            facts[verb][(SEATS.index(seat) + p) % n] = payload
    return facts


def table(seen: list[str], verb: str) -> list[str] | None:
    """The payload of the seen table event `verb`, None where there is none."""
    found = [payload for seat, v, payload in events(seen) if seat is None and v == verb]
    return found[0] if found else None


def plays(state, is_play) -> list[tuple[int, int]]:
    """(player, action) of OpenSpiel's history steps that `is_play(i, player, action)` says play a card."""
    return [(s.player, s.action) for i, s in enumerate(state.full_history()) if s.player >= 0
            and is_play(i, s.player, s.action)]


# ----- OpenSpiel's words for each game's hands, tricks and points -----

def suit_lines(lines: list[str], ten: str = "T") -> set[str]:
    """'S AKQ2' / '♠ A J 10' / '    C: JT9' lines (a suit, then its ranks, 'none' or nothing where void) -> cards."""
    symbols = {"♠": "S", "♥": "H", "♦": "D", "♣": "C"}
    out = set()
    for line in lines:
        line = line.strip()
        suit, ranks = symbols.get(line[0], line[0]), line[1:].lstrip(":").replace(ten, "T").replace(" ", "")
        out |= {suit + r for r in ranks if ranks != "none"}
    return out


def spades_truth(state, n):
    hands = [suit_lines(state.observation_string(q).splitlines()[:4]) for q in range(n)]
    text = state.observation_string(0)
    taken = [int(x) for x in text.split("Tricks taken:")[1].split()[4:8]] if "Tricks taken:" in text else [0] * 4
    return hands, {"tricks": taken}


def oh_hell_truth(state, n):
    hands = []
    for q in range(n):
        info = state.information_state_string(q)
        lines = info[info.index("Player:"):].splitlines()[1:5]
        hands.append(suit_lines(lines))
    info = state.information_state_string(0)
    bids = [int(x) for x in info.split("Bids:")[1].split("\n")[0].split()]
    won = [int(x) for x in info.split("Tricks Won:")[1].split()[:n]]
    trump = str(state).split("Trump: ")[1].split()[0]
    return hands, {"tricks": won, "bids": bids, "trump": trump}


def bridge_truth(state, n):
    hands = []
    for q in range(n):
        info = state.information_state_string(q)
        if "you hold:" not in info:  # the end: the string is the whole deal
            return [set() for _ in range(n)], {"end": True}
        lines = info[info.index("you hold:"):].splitlines()[1:5]
        hands.append(suit_lines(lines, ten="10"))
    info = state.information_state_string(0)
    facts = {}
    if "Contract:" in info:
        facts["contract"] = info.split("Contract: ")[1].split("\n")[0]  # '7NT Doubled by North'
    if "Declarer tricks won:" in info:
        facts["declarer tricks"] = int(info.split("Declarer tricks won: ")[1].split()[0])
    tricks = [line for line in info.splitlines() if line.startswith("Trick ")]  # 'Trick 3. East: ♠9 ... Won by East.'
    if tricks:
        last = tricks[-1].split(". ", 1)[1]
        facts["lead"] = last.split("Won by ")[1].rstrip(".") if "Won by" in last else last.split(":")[0]
    return hands, facts


def euchre_truth(state, n):
    hands = [set() for _ in range(n)]
    for c, holder in enumerate(state.card_holder()):
        if holder is not None:
            hands[holder].add(games.euchre.card(c))
    active = sum(state.active_players())
    won = [0] * 4
    for trick in state.tricks()[:state.num_cards_played() // active]:
        won[trick.winner()] += 1
    return hands, {"tricks": won}


def skat_card(symbol: str) -> str:
    """A unicode playing card (U+1F0A1 the ace of spades ...) -> shared card name."""
    code = ord(symbol)
    suit = {0xA: "S", 0xB: "H", 0xC: "D", 0xD: "C"}[(code >> 4) & 0xF]
    return suit + {1: "A", 0xA: "T", 0xB: "J", 0xD: "Q", 0xE: "K"}.get(code & 0xF, str(code & 0xF))


def skat_truth(state, n):
    text = str(state)
    hands = [{skat_card(c) for c in text.split(f"Player {q}:")[1].split("\n")[0].split()} for q in range(n)]
    facts = {"skat": {skat_card(c) for c in text.split("Skat:")[1].split("\n")[0].split()}}
    if "Points (Solo / Team): (" in text:
        facts["points"] = [int(x) for x in text.split("Points (Solo / Team): (")[1].split(")")[0].split(" / ")]
    solo = state.observation_string(0).split("SoloPl:")[1].split("|")[0]
    if solo.isdigit():
        facts["solo"] = int(solo)
    return hands, facts


TRUTH = {"spades": spades_truth, "oh_hell": oh_hell_truth, "bridge": bridge_truth, "euchre": euchre_truth,
         "skat": skat_truth}


def card_plays(name: str, adapter, state) -> tuple[list[tuple[int, int]], int]:
    """The cards played so far in the play phase (player, action), and how many make a trick."""
    if name == "spades":
        return plays(state, lambda i, q, a: a < 52), 4
    if name == "oh_hell":
        return plays(state, lambda i, q, a: a < adapter.num_cards), adapter.num_players
    if name == "bridge":
        return plays(state, lambda i, q, a: a < 52), 4
    if name == "euchre":
        steps = state.full_history()
        ordered = any(s.player >= 0 and 25 <= s.action < 29 and i < games.euchre.FIRST_BID + 4
                      for i, s in enumerate(steps))
        cardsteps = plays(state, lambda i, q, a: a < 24)
        return cardsteps[1:] if ordered else cardsteps, sum(state.active_players())
    return plays(state, lambda i, q, a: a < 32)[2:], 3  # skat: the solo player's two discards first


def check_view(name: str, adapter, tok: Tokenizer, state, p: int, done: collections.Counter) -> None:
    """Player p's views at `state` against OpenSpiel; `done` counts the checks that had something to check."""
    n = adapter.num_players
    seen, unseen, hidden = views(tok, state, p)
    facts = seat_facts(seen, unseen, n, p)
    hands, truth = TRUTH[name](state, n)
    shown = facts["hand"]
    assert sorted(shown) == list(range(n)), (name, seen, unseen)
    if not state.is_terminal():  # (at the end some games' strings show the deal instead)
        for q in range(n):
            assert sorted(shown[q]) == sorted(hands[q]), (name, q, shown[q], hands[q])
        done["hands"] += 1
    held = tok.holdings(state, p)
    assert [[w for w in tok.describe(ids) if w in CARDS] for ids in held] == [shown[(p + j) % n] for j in range(n)]
    own = [w for seat, verb, payload in events(seen) if seat == "me" and verb == "hand" for w in payload]
    assert own == shown[p]  # the player's own hand is in their seen part
    others = [(seat, payload) for seat, verb, payload in events(seen) if verb == "hand" and seat != "me"]
    if name != "bridge":
        assert others == []  # another seat's hand is seen only as bridge's dummy

    played, size = card_plays(name, adapter, state)
    trick = table(seen, "trick")
    if trick is None:
        assert not played
    else:
        word = {"spades": games.spades.card, "oh_hell": getattr(adapter, "card", None), "bridge":
                games.cards.rank_major, "euchre": games.euchre.card, "skat": games.skat.card}[name]
        assert trick == [word(a) for _, a in played[len(played) - len(played) % size:]], (name, trick, played)
        done["trick"] += bool(trick)

    count = "points" if name == "skat" else "tricks"
    numbers = [int(facts[count][q][0][1:]) if q in facts[count] else 0 for q in range(n)]
    done["counts"] += any(numbers)
    if name in ("spades", "oh_hell", "euchre"):
        assert numbers == truth["tricks"], (name, numbers, truth)
    if name in ("spades", "oh_hell"):
        bids = [int(facts["bid"][q][0][1:]) if q in facts["bid"] else -1 for q in range(n)]
        base = 52 if name == "spades" else adapter.num_cards
        made = dict(plays(state, lambda i, q, a: a >= base))
        assert bids == [made[q] - base if q in made else -1 for q in range(n)]
        facts = tok.seat_facts(state, p)  # what the facts term asks of each seat, seat by seat from p's
        assert [[tok.describe(ids) for ids in facts[j]] for j in range(n)] == [
            [[f"N{made[q] - base}"] if q in made else [], [f"N{truth['tricks'][q]}"] if truth["tricks"][q] else []]
            for q in ((p + j) % n for j in range(n))]
    if name == "oh_hell":
        assert bids == truth["bids"] and table(seen, "trump") == [truth["trump"]]
        if state.is_terminal():  # a point a trick, 10 more for taking exactly the bid
            assert state.returns() == [k + 10 * (k == b) for k, b in zip(numbers, bids)]
            done["returns"] += 1
    if name == "bridge":
        check_bridge(facts, truth, numbers, played, seen, p, done)
    if name == "euchre":
        check_euchre(state, facts, numbers, seen, p, done)
    if name == "skat" and "solo" in truth:
        solo = truth["solo"]
        assert list(facts["bid"]) == [solo]
        if "points" in truth and not state.is_terminal():  # at the end OpenSpiel adds the skat's to the solo's
            assert [numbers[solo], sum(numbers) - numbers[solo]] == truth["points"], (numbers, truth)
        discards = table(seen, "discard")  # the solo player's alone: in the others' unseen part
        assert (discards is not None) == (p == solo and len(truth["skat"]) > 0)
        if discards is not None:
            assert set(discards) == truth["skat"]
            done["discards"] += 1
        game = facts["bid"][solo]
        if state.is_terminal() and p == solo and game != ["null"]:  # the solo's tricks and discards decide
            value = sum(games.skat.VALUE["789QKTAJ".index(c[1])] for c in discards)
            assert state.returns()[solo] == (numbers[solo] + value - 60) / 120
            done["returns"] += 1


def check_euchre(state, facts, numbers, seen, p, done) -> None:
    """euchre: `trump SUIT` under the maker, `alone` under who went alone, and at the end the makers' tricks give
    OpenSpiel's returns (OpenSpiel's ComputeScore)."""
    if state.trump_suit() < 0:
        assert "trump" not in facts
        return
    (maker, suit), = facts["trump"].items()
    assert maker == state.declarer() and suit == [f"suit_{'CDHS'[state.trump_suit()]}"]
    alone = {(SEATS.index(seat) + p) % 4 for seat, verb, _ in events(seen) if verb == "alone"}
    lone_defender = state.lone_defender() if state.lone_defender() >= 0 else None
    assert alone == ({maker} if state.declarer_go_alone() else set()) | ({lone_defender} - {None})
    if state.is_terminal():
        made = numbers[maker] + numbers[(maker + 2) % 4]
        score = (-4 if lone_defender is not None else -2) if made <= 2 else 1 if made <= 4 else (
            4 if maker in alone else 2)
        assert state.returns() == [score if q % 2 == maker % 2 else -score for q in range(4)]
        done["returns"] += 1


def seat_name(seat: int) -> str:
    """bridge: OpenSpiel's name of a seat."""
    return ["North", "East", "South", "West"][seat]


def check_bridge(facts, truth, numbers, played, seen, p, done) -> None:
    """bridge: the `contract` (level, denomination, doubled or redoubled) and its declarer as OpenSpiel's
    'Contract: 7NT Doubled by North'; `lead` under the seat that leads the trick (the last trick's winner, the
    declarer's left before the first); the declaring side's tricks as its 'Declarer tricks won'; the dummy's
    hand seen by all once the opening lead is made."""
    if "end" in truth:
        return
    if "contract" not in truth:
        assert "contract" not in facts
        return
    (declarer, words), = facts["contract"].items()
    denomination = {"notrump": "NT", "suit_C": "C", "suit_D": "D", "suit_H": "H", "suit_S": "S"}[words[1]]
    status = {"double": " Doubled", "redouble": " Redoubled"}.get(words[-1], "")
    assert truth["contract"] == f"{words[0][1:]}{denomination}{status} by {seat_name(declarer)}"
    dummy = (declarer + 2) % 4
    done["contract"] += 1
    leads = [(SEATS.index(seat) + p) % 4 for seat, verb, _ in events(seen) if verb == "lead"]
    assert leads == [["North", "East", "South", "West"].index(truth.get("lead", seat_name((declarer + 1) % 4)))]
    if "declarer tricks" in truth:
        assert numbers[declarer] + numbers[dummy] == truth["declarer tricks"]
    dummy_seen = any(verb == "hand" and seat == SEATS[(dummy - p) % 4] for seat, verb, _ in events(seen))
    assert dummy_seen == (bool(played) or p == dummy)
    done["dummy"] += dummy_seen and p != dummy


WANT = {"spades": ["counts", "trick"], "oh_hell": ["counts", "trick", "returns"],
        "skat": ["counts", "trick", "discards", "returns"], "bridge": ["counts", "trick", "contract", "dummy"],
        "euchre": ["counts", "trick", "returns"]}  # the checks each game's playthroughs must have made


@pytest.mark.parametrize("name", GAMES)
def test_the_view_shows_openspiels_hands_tricks_and_points(name):
    adapter = games.load(name)
    tok = Tokenizer.for_game(adapter)
    rng, done = random.Random(5), collections.Counter()
    for _ in range(5):
        for state, _ in replay(adapter, random_history(adapter, rng, max_len=10_000)):
            if state.is_chance_node():
                continue
            for p in range(adapter.num_players):
                check_view(name, adapter, tok, state, p, done)
            if state.is_terminal():
                continue
            p = state.current_player()
            if done["consistent"] * 25 <= done["hands"]:  # the hidden tokens (the unseen view with them) are a
                assert is_consistent(adapter, state, p, views(tok, state, p)[2])  # possible world
                done["consistent"] += 1
    assert done["hands"] > 100 and all(done[k] > 0 for k in WANT[name]), done


@pytest.mark.parametrize("name", GAMES)
def test_the_window_keeps_the_head_the_latest_events_and_the_views(name):
    """As tests/test_window.py checks it for the other games with a window (its judge: list slicing)."""
    assert games.load(name).window == 32
    test_window.test_the_window_keeps_the_head_the_latest_events_and_the_views(name)
