"""go_fish's view against OpenSpiel: each seat's hand of ranks and its books at every state of random games, who
sees which hand, and a model that reads the view as tokens (its hands are ranks, not suited cards)."""
from __future__ import annotations

import random

import pytest
import torch

import games
from agent.episodes import play_random, trace
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.losses import unrolled_loss
from agent.model.targets import make_batch
from tests.infosets import random_history, replay
from tokenizer import Tokenizer


def parts(tok: Tokenizer, state, p: int) -> tuple[list[str], list[str]]:
    """(seen view words, unseen view words) of player p (no unseen part where the others hold nothing)."""
    obs, hidden = (tok.describe(x) for x in (tok.encode_observation(state, p), tok.encode_hidden(state, p)))
    return obs[obs.index("<view>") + 1:], hidden[hidden.index("<view>") + 1:] if "<view>" in hidden else []


@pytest.mark.parametrize("seed", range(3))
def test_the_view_holds_each_seats_ranks_and_books_as_openspiel_counts_them(seed):
    adapter = games.load("go_fish")
    tok, n = Tokenizer.for_game(adapter), adapter.num_players
    checked = books = 0
    for state, _ in replay(adapter, random_history(adapter, random.Random(seed))):
        if state.is_chance_node() and len(state.history()) < 2 * adapter.hand_size:
            continue  # mid-deal
        truth = [sorted(adapter.rank(r) for r, k in enumerate(cards) for _ in range(k))
                 for cards in state.player_cards()]
        for p in range(n):
            seen, unseen = parts(tok, state, p)
            assert seen[:2] == ["me", "hand"] and sorted(seen[2:2 + len(truth[p])]) == truth[p]
            for j in range(1, n):  # another seat's hand: its size seen, its ranks in the hidden words
                q = (p + j) % n
                at = seen.index(f"p+{j}")
                assert seen[at:at + 2 + len(truth[q])] == [f"p+{j}", "hand"] + ["?"] * len(truth[q])
            assert [sorted(tok.describe(ids)) for ids in tok.holdings(state, p)] == [truth[(p + j) % n]
                                                                                   for j in range(n)]
            assert sorted(unseen) == sorted(w for j in range(1, n) for w in truth[(p + j) % n])
            shown = {seen[i - 1]: int(seen[i + 1][1:]) for i, w in enumerate(seen) if w == "books"}
            assert [shown.get(f"p+{(q - p) % n}" if q != p else "me", 0) for q in range(n)] == state.player_books()
        checked += 1
        books += sum(state.player_books())
    assert checked > 20 and books > 0  # a game long enough to check, and books made in it


def test_a_model_reads_go_fishs_view_as_tokens_and_learns_its_holdings():
    adapter = games.load("go_fish")
    spec = GameSpec.of(adapter)
    assert spec.view and not spec.card_slots and spec.window > 0
    torch.manual_seed(0)
    model, tok = Model(preset("tiny"), spec), Tokenizer.for_game(adapter)
    assert model.cards is None and not hasattr(model, "playable_head")
    rng = random.Random(0)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(4)]
    batch = make_batch(tok, [(tr, rng.randrange(tr.decisions)) for tr in traces], 2, 8, rng)
    assert batch.holding.any()
    loss, terms = unrolled_loss(model, batch)
    assert "holding" in terms and "playable" not in terms and torch.isfinite(loss)
