"""games.load, the generic fallback, OpenSpiel's world resampler and the consistency check of hidden states."""
import collections
import random
import re

import pyspiel
import pytest

import games
from games.cards import CARDS, RANK_WORDS
from games.worlds import is_consistent
from tests.infosets import random_history, replays_legally
from tokenizer import Tokenizer


@pytest.mark.parametrize("name", games.supported())
def test_every_supported_game_loads(name):
    adapter = games.load(name)
    assert adapter.game.get_type().short_name == name
    assert 1 <= adapter.num_players <= 10
    assert adapter.num_actions > 1


def test_default_parameters_make_games_playable():
    assert games.load("crazy_eights").num_players == 2
    assert games.load("crazy_eights", players=3).num_players == 3
    assert games.load("bridge").params["use_double_dummy_result"] is False


@pytest.mark.parametrize("name", games.supported())
def test_a_game_loads_again_with_the_parameters_it_was_loaded_with(name):
    """What a run saves and load_agent reads back: a game's own parameters (bridge's include the adapter's
    use_double_dummy_result, though OpenSpiel lists no parameters for a bridge it loaded with none)."""
    params = games.load(name).params
    assert games.load(name, **params).params == params
    if name == "bridge":
        assert games.load(name, dealer_vul=True).game.get_parameters()["dealer_vul"] is True


def test_unknown_game_lists_supported_names():
    with pytest.raises(ValueError, match="unknown game 'pokr'.*kuhn_poker.*dou_dizhu"):
        games.load("pokr")


def test_bad_parameters_are_reported():
    with pytest.raises(ValueError, match="OpenSpiel refused kuhn_poker"):
        games.load("kuhn_poker", players=99)


def test_generic_fallback_loads_and_refuses_what_it_cannot_tokenize():
    assert type(games.load("tic_tac_toe")).__name__ == "GenericGame"
    with pytest.raises(ValueError, match="not a sequential game"):
        games.load("matrix_rps")
    with pytest.raises(ValueError, match="tarok's chance is sampled"):
        games.load("tarok")


def test_a_card_game_with_only_strings_is_read_from_its_observation_string():
    """cribbage has no tensor: each player's events give back every observation string they saw, and the view
    shows the one they see now."""
    adapter = games.load("cribbage")
    tok = Tokenizer.for_game(adapter)
    assert adapter.has_view and not games.load("tic_tac_toe").has_view
    state = adapter.new_initial_state()
    for action in random_history(adapter, random.Random(0), max_len=60):
        state.apply_action(action)
    words = tok.describe(tok.encode_observation(state, 0))
    view = words[words.index("<view>") + 1:]
    chars = {"c:space": " ", "line": "\n"}
    text = "".join(chars.get(w, w[2:]) for w in view[2:])
    assert view[:2] == ["me", "string"] and text == state.observation_string(0).rstrip("\n")

CARD_WORDS = set(CARDS) | set(RANK_WORDS)


def test_kuhn_consistency_matches_enumeration():
    """Player 0 holds the queen: the opponent may hold the jack or the king, never the queen or a spade ace."""
    adapter = games.load("kuhn_poker")
    state = adapter.new_initial_state()
    for a in (1, 2, 0):  # p0 gets Q, p1 gets K, p0 passes
        state.apply_action(a)
    tok = Tokenizer.for_game(adapter)
    assert tok.describe(tok.encode_hidden(state, 0)) == ["RK"]
    verdict = {card: is_consistent(adapter, state, 0, [card]) for card in ("RJ", "RQ", "RK", "SA")}
    assert verdict == {"RJ": True, "RQ": False, "RK": True, "SA": False}
    assert not is_consistent(adapter, state, 0, [])
    assert not is_consistent(adapter, state, 0, ["RJ", "RK"])


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker", "blackjack", "gin_rummy", "hearts", "euchre",
                                  "oh_hell", "bridge"])
def test_resampled_worlds_look_the_same_and_are_consistent(name):
    """OpenSpiel's resampler gives states the player cannot tell apart; our check accepts their hidden words
    and refuses hidden words that give the player's own first card to someone else."""
    adapter = games.load(name)
    assert adapter.has_resampler
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(0)
    checked = refused = 0
    for _ in range(12):
        history = random_history(adapter, rng)
        state = adapter.new_initial_state()
        for a in history[: rng.randrange(len(history))]:
            state.apply_action(a)
        while state.current_player() < 0 and not state.is_terminal():
            state.apply_action(rng.choice(adapter.legal_actions(state)))
        if state.is_terminal():
            continue
        p = state.current_player()
        world = adapter.resample_world(state, p, rng)
        if not replays_legally(world):
            continue  # OpenSpiel's hearts resampler ignores voids and can return an impossible world
        checked += 1
        assert tok.encode_observation(world, p) == tok.encode_observation(state, p)
        hidden = tok.describe(tok.encode_hidden(world, p))
        assert is_consistent(adapter, state, p, hidden)
        mine = [w for w in tok.describe(tok.encode_observation(state, p)) if w in CARD_WORDS]
        slot = next((i for i, w in enumerate(hidden) if w in CARD_WORDS), None)
        if slot is not None and mine:
            bad = list(hidden)
            bad[slot] = next((c for c in mine if c != hidden[slot]), hidden[slot])
            if bad != hidden:
                assert not is_consistent(adapter, state, p, bad)
                refused += 1
    assert checked > 0 and refused > 0  # both the positive and the negative case ran





def _view_hands(obs: list[str], hidden: list[str]) -> dict[str, list[str]]:
    """Seat word -> cards of each `SEAT hand CARD...` in a player's views (the observation's, then the hidden one)."""
    hands = {}
    for words in (obs[obs.index("<view>"):], hidden[hidden.index("<view>"):]):
        for i in range(1, len(words)):
            if words[i] == "hand":
                j = i + 1
                while j < len(words) and words[j] in CARDS:
                    j += 1
                hands[words[i - 1]] = words[i + 1:j]
    return hands


def _openspiel_hearts_cards(text: str) -> list[str]:
    """OpenSpiel's hearts card strings ('2C', 'TH') as shared card names ('C2', 'HT')."""
    return [c[1] + c[0] for c in text.split()]


def test_hearts_view_matches_openspiel_hands_trick_and_broken_hearts():
    """Every seat's `hand` (seen by its owner, in the others' hidden words) against the `Hand:` of that seat's
    OpenSpiel information state; `trick` against the unfinished line of its `Tricks:`; `first` on the first
    trick; `broken` once a heart or the queen of spades has been played; the hidden tokens describe a possible
    world, and not once a card of the player's own hand is put in another's."""
    adapter = games.load("hearts")
    tok = Tokenizer.for_game(adapter)
    rng, checked = random.Random(3), collections.Counter()
    for _ in range(4):
        state = adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                state.apply_action(rng.choice([o for o, _ in state.chance_outcomes()]))
                continue
            p = state.current_player()
            obs, hidden = (tok.describe(x) for x in (tok.encode_observation(state, p), tok.encode_hidden(state, p)))
            view, hands = obs[obs.index("<view>") + 1:], _view_hands(obs, hidden)
            assert list(hands) == ["me", "p+1", "p+2", "p+3"]
            for k, seat in enumerate(hands):
                info = state.information_state_string((p + k) % 4)
                lines = info[info.index("Hand:"):].split("\n\n")[0].splitlines()[1:]  # 'S AJ', 'H 9754', ...
                want = [line[0] + r for line in lines if "none" not in line for r in line.split()[1]]  # void: 'D none'
                assert sorted(hands[seat]) == sorted(want), (seat, info)
            if "trick" in view:
                info = state.information_state_string(p)
                tricks = info[info.index("Tricks:"):].split("\n\n")[0] if "Tricks:" in info else ""
                played = [line.split() for line in tricks.splitlines()[2:]]  # after 'Tricks:' and 'N  E  S  W ...'
                unfinished = played[-1] if played and len(played[-1]) < 4 else []
                end = view.index("broken") if "broken" in view else len(view)
                assert view[view.index("trick") + 1:end] == _openspiel_hearts_cards(" ".join(unfinished))
                assert ("first" in view) == (not any(len(trick) == 4 for trick in played))
                gone = _openspiel_hearts_cards(" ".join(" ".join(trick) for trick in played))
                assert ("broken" in view) == any(c[0] == "H" or c == "SQ" for c in gone)
                checked["play"] += 1
            else:
                checked["pass"] += 1
            assert is_consistent(adapter, state, p, hidden)
            if checked["play"] % 10 == 1:  # the consistency check reads the hidden hands (slow: once in a while)
                assert not is_consistent(adapter, state, p, hidden[:-1] + [hands["me"][0]])
            state.apply_action(rng.choice(state.legal_actions()))
    assert checked["play"] == 4 * 52 and checked["pass"] > 0, checked


@pytest.mark.parametrize("players, reshuffle", [(2, False), (3, False), (2, True)])
def test_crazy_eights_view_matches_openspiel_hand_and_card_to_match(players, reshuffle):
    """The view's `me hand` / `top` words against OpenSpiel's observation tensor: hand bits (one-hot count per
    card), last card, last suit (the nominated one after an eight); the hidden view's `p+k hand` words against
    that seat's own tensor, and the hidden tokens with them describe a possible world. `stock Nk` against
    OpenSpiel's count of cards left in the deck, `draw Nk` against the mover's draws since its last play in
    the history; with them the view tells when passing is legal."""
    adapter = games.load("crazy_eights", players=players, reshuffle=reshuffle)
    tok = Tokenizer.for_game(adapter)
    rng, checked, checked_pass = random.Random(players), 0, 0
    most = adapter.game.get_parameters()["max_draw_cards"]
    for _ in range(20):
        state = adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                outcomes, probs = zip(*state.chance_outcomes())
                state.apply_action(rng.choices(outcomes, probs)[0])
                continue
            p = state.current_player()
            words = tok.describe(tok.encode_observation(state, p))
            at = len(words) - words[::-1].index("hand")
            hand, top = words[at:words.index("top", at)], words[words.index("top", at) + 1:words.index("stock", at)]
            stock = int(words[words.index("stock", at) + 1][1:])
            assert stock == int(re.search(r"left in deck: (\d+)", str(state)).group(1))
            draws = 0
            for step in reversed(state.full_history()):  # the mover's draws since its last play or pass
                if step.player == p and step.action == 52:
                    draws += 1
                elif step.player != pyspiel.PlayerId.CHANCE:
                    break
            assert words[words.index("stock", at) + 2:] == (["draw", f"N{draws}"] if draws else [])
            nominating = any(state.action_to_string(a).startswith("Nominate") for a in state.legal_actions())
            passing = any(state.action_to_string(a) == "Pass" for a in state.legal_actions())
            assert passing == ((stock == 0 or draws == most) and not nominating)
            checked_pass += passing
            t = state.observation_tensor(p)
            assert sorted(hand) == sorted(CARDS[i] for i in range(52) if t[2 * ((i % 13) * 4 + i // 13) + 1])
            last = [i for i in range(52) if t[104 + i]]
            assert [top[0]] == [adapter.action_words(i, "play")[1] for i in last]
            suit = [s for s in range(4) if t[156 + s]]
            named = top[1] if len(top) == 2 else "suit_" + top[0][0]
            assert len(top) in (1, 2) and named == "suit_" + "CDHS"[suit[0]]
            assert words[at - 2:at] == ["me", "hand"]
            hidden = tok.describe(tok.encode_hidden(state, p))  # ends with `<view>` and the other seats' hands
            walked = adapter.belief_walk and checked % 4 == 0  # the walk's check, at every fourth decision
            assert not walked or is_consistent(adapter, state, p, hidden)  # (two seats, no reshuffle)
            others = _view_hands(words, hidden)
            assert list(others) == ["me"] + [f"p+{k}" for k in range(1, players)]
            for k in range(1, players):  # `p+k hand ...` against seat p + k's own observation tensor
                u = state.observation_tensor((p + k) % players)
                want = [CARDS[i] for i in range(52) if u[2 * ((i % 13) * 4 + i // 13) + 1]]
                assert sorted(others[f"p+{k}"]) == sorted(want)
            if walked:  # a card the player holds
                assert not is_consistent(adapter, state, p, hidden[:-1] + [hand[0]])
            checked += 1
            state.apply_action(rng.choice(state.legal_actions()))
    assert checked > 200 and checked_pass > 10


@pytest.mark.parametrize("name", games.supported())
def test_the_return_unit_is_the_size_of_what_games_score(name):
    """Value heads predict returns in the game's unit (`return_scale`): random play's returns, where it scores at
    all, reach a good share of it (OpenSpiel's bound on dou_dizhu, 49,152, lies four orders of magnitude above what
    its games score), and a unit an adapter sets holds nearly all of them."""
    from agent.episodes import play_random
    from agent.model.config import return_scale

    adapter, rng = games.load(name), random.Random(0)
    unit, returns = return_scale(adapter), []
    for _ in range(40):
        state = adapter.new_initial_state()
        for action in play_random(adapter, rng).history:
            state.apply_action(action)
        returns += [abs(r) for r in state.returns()]
    if any(returns):  # gin_rummy's random games end at the wall, unscored
        assert sum(returns) / len(returns) >= 0.05 * unit
    if adapter.return_unit is not None:
        assert sum(r <= unit for r in returns) >= 0.95 * len(returns)
