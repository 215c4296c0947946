"""gin_rummy's view against OpenSpiel: every hand, the table facts and the phase, at every state of playthroughs.

The judge is OpenSpiel: each player's hand is the card grid of that player's observation string; the upcard,
stock, discard pile, knocker's melds and layoffs those of the state's string; the phase, the first-upcard passes,
finished layoffs, knocker and known cards (taken from the pile) its state's bindings. Playthroughs mix OpenSpiel's
simple gin bot (it knocks, so melds and layoffs come up) with random moves, plus one that takes the upcard until
OpenSpiel's limit on upcard draws ends the game and one rigged for gin (no layoffs allowed).
"""
from __future__ import annotations

import collections
import random
import re

import pyspiel
import pytest

import games
from games.cards import CARDS
from tests.infosets import replay
from tokenizer import Tokenizer

Phase = pyspiel.gin_rummy.Phase
DRAW_UPCARD, DRAW_STOCK, PASS, KNOCK = 52, 53, 54, 55
SEATS = ("me", "p+1")
VERBS = ("hand", "take", "knock", "top", "stock", "pile", "meld", "layoff", "phase")
CARD = re.compile(r"([A2-9TJQK])([scdh])")


def cards_in(text: str) -> list[str]:
    """OpenSpiel's card strings in `text` ('Qc') as shared card names ('CQ'), in order."""
    return [suit.upper() + rank for rank, suit in CARD.findall(text)]


def grids(text: str) -> list[list[str]]:
    """The cards of each hand grid (four '|' lines, one per suit) in an OpenSpiel gin rummy string."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [cards_in("".join(rows[i:i + 4])) for i in range(0, len(rows), 4)]


def sections(text: str) -> list[str]:
    """The state string's Player0 and Player1 parts (the table lines sit at the end of Player0's)."""
    head, tail = text.split("\nPlayer1:")
    return [head.split("\nPlayer0:")[1], tail]


def parse_view(words: list[str]) -> list[tuple[str | None, str, list[str]]]:
    """A view part's words after `<view>` as (seat word or None, verb, payload) events."""
    events, i = [], 0
    while i < len(words):
        seat = words[i] if words[i] in SEATS else None
        i += seat is not None
        verb, i = words[i], i + 1
        assert verb in VERBS, (verb, words)
        j = i + 1 if verb == "phase" else i
        while verb != "phase" and j < len(words) and words[j] not in SEATS and words[j] not in VERBS:
            j += 1
        events.append((seat, verb, words[i:j]))
        i = j
    return events


def expected_phase(state) -> str | None:
    """The view's phase word for OpenSpiel's phase (None: the routine draw and discard, chance, the end)."""
    phase = state.current_phase()
    if phase == Phase.FIRST_UPCARD:
        return "draw" if all(state.pass_on_first_upcard()) else "first"
    if phase == Phase.LAYOFF:
        return "meld" if state.finished_layoffs() else "layoff"
    return {Phase.WALL: "wall", Phase.KNOCK: "knock"}.get(phase)


def playthrough(adapter, rng: random.Random, style: str) -> list[int]:
    """One history: `bot` (OpenSpiel's simple bot, random draws now and then, random layoffs), `random`, `taker`
    (always takes the upcard and never discards it back, so the game ends at OpenSpiel's limit on upcard draws) or
    `gin` (player 0 is dealt spades ace to four and clubs and diamonds ace to three, takes the upcard, knocks,
    discards it and lays the three melds: gin, so player 1 may not lay off; then random)."""
    state = adapter.new_initial_state()
    bots = [pyspiel.make_simple_gin_rummy_bot(adapter.game.get_parameters(), p) for p in range(2)]
    deck = [0, 1, 2, 3, 13, 14, 15, 26, 27, 28, 9, 10, 11, 12, 22, 23, 24, 35, 36, 37, 47] if style == "gin" else []
    while not state.is_terminal():
        legal = adapter.legal_actions(state)
        if state.is_chance_node():
            action = deck.pop(0) if deck else rng.choice(legal)
        elif style == "gin" and state.current_phase() != Phase.LAYOFF:
            melds = [a for a in legal if a > KNOCK]
            action = next((a for a in (DRAW_UPCARD, KNOCK, 47) if a in legal), None)
            if action is None:  # the longest meld first: all ten cards in three melds
                action = max(melds, key=lambda a: len(adapter.melds[a])) if melds else PASS
        elif style == "taker" and DRAW_UPCARD in legal:
            action = DRAW_UPCARD
        elif style == "taker":
            action = rng.choice([a for a in legal if a != state.prev_upcard() and a != KNOCK] or legal)
        elif style == "random" or state.current_phase() == Phase.LAYOFF:  # the bot never lays off
            cards = [a for a in legal if a < 52]
            action = rng.choice(cards) if cards and state.current_phase() == Phase.LAYOFF and rng.random() < 0.8 \
                else rng.choice(legal)
        elif state.current_phase() in (Phase.DRAW, Phase.FIRST_UPCARD) and rng.random() < 0.3:
            action = rng.choice(legal)
        else:
            action = bots[state.current_player()].step(state)
        state.apply_action(action)
    return state.history()


def test_gin_rummy_view_matches_openspiel_hands_table_and_phase():
    """At every state once the first upcard is turned, for both players: `me hand` is the grid of the player's
    observation string and `p+1 hand` (in the hidden words) the opponent's own; each seat's `take` cards are
    OpenSpiel's known cards of that hand, `knock` its knocker; `top`, `stock`, `pile` are the state string's upcard,
    stock size and discard pile (as a set); the `meld`s and `layoff` the knocker's laid melds and the layoffs
    on them; `take Nk` the upcard draws of the draw phase so far; `phase` OpenSpiel's phase where it is not the
    routine one. Nothing the player has not seen shows: the seen part holds only their hand and public cards,
    and the opponent's cards nobody has seen are nowhere in the observation. The holdings and table the model
    is trained on are these hands and facts."""
    adapter = games.load("gin_rummy")
    tok = Tokenizer.for_game(adapter)
    rng, checked = random.Random(7), collections.Counter()
    styles = ["bot"] * 10 + ["random"] * 4 + ["taker", "gin"]
    for style in styles:
        takes, before = 0, None  # upcard draws in the draw phase so far; the phase before the last step
        for state, _ in replay(adapter, playthrough(adapter, rng, style)):
            history = state.history()
            takes += bool(history) and history[-1] == DRAW_UPCARD and before == Phase.DRAW
            checked["gin"] += before == Phase.KNOCK and expected_phase(state) == "meld"  # no layoffs on gin
            checked["limit"] += takes == pyspiel.gin_rummy.MAX_NUM_DRAW_UPCARD_ACTIONS and state.is_terminal()
            before = state.current_phase()
            text = str(state)
            for p in range(2):
                obs = tok.describe(tok.encode_observation(state, p))
                hidden = tok.describe(tok.encode_hidden(state, p))
                if len(history) <= 2 * adapter.hand_size:  # the deal: no view yet
                    assert "<view>" not in obs and "<view>" not in hidden
                    continue
                seen = parse_view(obs[obs.index("<view>") + 1:])
                unseen = parse_view(hidden[hidden.index("<view>") + 1:])
                assert unseen == [("p+1", "hand", unseen[0][2])]  # the opponent's hand is all the player lacks
                hands = {"me": grids(state.observation_string(p))[p],
                         "p+1": grids(state.observation_string(1 - p))[1 - p]}
                assert hands["me"] == grids(text)[p] and hands["p+1"] == grids(text)[1 - p]
                seat_of = {"me": p, "p+1": 1 - p}
                table = collections.defaultdict(list)
                took, knocker = {}, None
                for seat, verb, payload in seen + unseen:
                    if verb == "hand":
                        assert payload == hands[seat], (seat, text)  # in the grid's order: suit, then rank
                    elif seat is not None and verb == "take":
                        took[seat_of[seat]] = payload
                    elif verb == "knock":
                        assert seat is not None and knocker is None and not payload
                        knocker = seat_of[seat]
                    else:
                        assert seat is None, (seat, verb)
                        table[verb].append(payload)
                for q in range(2):
                    assert sorted(took.get(q, [])) == sorted(adapter.cards[c] for c in state.known_cards()[q])
                assert knocker == next((q for q in range(2) if state.knocked()[q]), None)
                upcard = re.search(r"Upcard: (\S+)", text).group(1)
                assert table.pop("top", []) == ([] if upcard == "XX" else [cards_in(upcard)])
                assert table.pop("stock") == [[f"N{state.stock_size()}"]]
                assert state.stock_size() == int(re.search(r"Stock size: (\d+)", text).group(1))
                pile = cards_in(text.split("Discard pile:")[1].split("\n")[0])
                assert [sorted(x) for x in table.pop("pile", [])] == ([sorted(pile)] if pile else [])
                assert table.pop("take", []) == ([[f"N{takes}"]] if takes else [])
                part = sections(text)
                melds = []
                if knocker is not None and "Layed melds:" in part[knocker]:
                    line = part[knocker].split("Layed melds:")[1].split("\n")[0]
                    melds = [cards_in(m) for m in line.split()]
                assert table.pop("meld", []) == melds  # in the order laid, each as OpenSpiel writes it
                layoffs = []
                if knocker is not None and "Layoffs:" in part[1 - knocker]:
                    layoffs = cards_in(part[1 - knocker].split("Layoffs:")[1].split("\n")[0])
                assert [sorted(x) for x in table.pop("layoff", [])] == ([sorted(layoffs)] if layoffs else [])
                want = expected_phase(state)
                assert table.pop("phase", []) == ([[want]] if want else []), text
                assert not table, table
                # no leak: the seen part shows the player's hand and public cards; unseen cards are nowhere
                public = set(pile) | {c for m in melds for c in m} | set(layoffs) | set(took.get(1 - p, []))
                public |= set() if upcard == "XX" else set(cards_in(upcard))
                shown = {w for seat, verb, payload in seen for w in payload if w in CARDS}
                assert shown <= set(hands["me"]) | public
                secret = set(hands["p+1"]) - set(took.get(1 - p, []))
                assert not secret & set(obs), (secret & set(obs), text)
                # what the model is trained on: each seat's holding, and the table words' payloads
                held = [set(tok.describe(ids)) for ids in tok.holdings(state, p)]
                assert held == [set(hands["me"]), set(hands["p+1"])]
                checked["view"] += 1
                checked[want or "routine"] += 1
            words = dict(zip(adapter.table_words, (tok.describe(ids) for ids in tok.table(state))))
            if len(history) > 2 * adapter.hand_size:
                assert words["stock"] == [f"N{state.stock_size()}"]
                assert words["phase"] == ([expected_phase(state)] if expected_phase(state) else [])
    assert checked["view"] > 2000, checked
    for word in ("first", "draw", "wall", "knock", "layoff", "meld", "routine", "gin", "limit"):
        assert checked[word] > 0, checked


def layoff_candidates(melds: list[list[str]], layoffs: list[str]) -> set[str]:
    """Cards that could extend the knocker's `melds` given the `layoffs` made: a three-card set's missing suit,
    a run's neighbours once the layoffs next to it (repeatedly) are added (OpenSpiel allows a subset of these)."""
    ranks, out = "A23456789TJQK", set()
    for meld in melds:
        if len({c[1] for c in meld}) == 1:
            out |= {suit + meld[0][1] for suit in "SCDH"} - set(meld)
            continue
        suit, held = meld[0][0], {ranks.index(c[1]) for c in meld}
        grown = True
        while grown:
            near = {ranks.index(c[1]) for c in layoffs if c[0] == suit} & {min(held) - 1, max(held) + 1}
            grown, held = bool(near), held | near
        out |= {suit + ranks[r] for r in (min(held) - 1, max(held) + 1) if 0 <= r < len(ranks)}
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_gin_rummy_view_says_what_is_legal(seed):
    """The view holds what legality depends on: from the mover's seen view alone (the phase word, the upcard,
    the hand, the knocker's melds and layoffs) the kinds of legal action follow, and the legal cards are hand
    cards (layoffs only ones that extend the knocker's melds, with the layoffs made, as the view shows them)."""
    adapter = games.load("gin_rummy")
    tok = Tokenizer.for_game(adapter)
    rng, seen_kinds = random.Random(seed), collections.Counter()
    for style in ("bot", "bot", "random"):
        for state, _ in replay(adapter, playthrough(adapter, rng, style)):
            if state.current_player() < 0:
                continue
            p = state.current_player()
            obs = tok.describe(tok.encode_observation(state, p))
            view = parse_view(obs[obs.index("<view>") + 1:])
            facts = {verb: payload for seat, verb, payload in view if seat is None}
            hand = next(payload for seat, verb, payload in view if seat == "me" and verb == "hand")
            legal = state.legal_actions()
            kinds = {"card" if a < 52 else "meld" if a > KNOCK else {DRAW_UPCARD: "take", DRAW_STOCK: "draw",
                                                                       PASS: "pass", KNOCK: "knock"}[a]
                     for a in legal}
            phase = facts.get("phase", [None])[0]
            if phase == "first":
                want = {"take", "pass"}
            elif phase == "draw":
                want = {"draw"}
            elif phase is None:
                want = {"take", "draw"} if "top" in facts else {"card"} | ({"knock"} & kinds)
            elif phase == "wall":
                want = {"pass"} | ({"knock"} & kinds)
            elif phase == "knock":  # the knocker discards, then lays melds until passing is legal
                want = {"card"} if len(hand) == adapter.hand_size + 1 else kinds
                assert kinds <= ({"card"} if len(hand) == adapter.hand_size + 1 else {"meld", "pass"})
            elif phase == "layoff":
                want = {"pass"} | ({"card"} & kinds)
            else:
                want = {"pass"} | ({"meld"} & kinds)
            assert kinds == want, (phase, kinds, obs)
            assert {adapter.cards[a] for a in legal if a < 52} <= set(hand)
            if phase == "layoff":  # layoffs extend the knocker's melds (with the layoffs made), which the view shows
                melds = [payload for seat, verb, payload in view if seat is None and verb == "meld"]
                allowed = layoff_candidates(melds, facts.get("layoff", []))
                assert {adapter.cards[a] for a in legal if a < 52} <= allowed & set(hand)
                seen_kinds["layoff card"] += "card" in kinds
            seen_kinds[phase or ("draw phase" if "top" in facts else "discard phase")] += 1
    assert {"discard phase", "draw phase", "knock", "layoff", "layoff card", "meld"} <= set(seen_kinds), seen_kinds
