"""A game's window: h and b read an observation's head, its latest events and its view, not its whole history.

The judge is plain list slicing of the tokenizer's own streams (observation = head + events + view part; hidden =
events + view part), and the same weights in a model without a window reading the slices.
"""
from __future__ import annotations

import dataclasses
import random

import pytest
import torch

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model import EOS, PAD, SEP, Model
from agent.model.config import GameSpec, preset
from agent.model.sampling import _Reader
from agent.model.tokens import pad_rows
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

VIEW = vocab.ids()[vocab.VIEW]
W = 8


def models(game: str) -> tuple[Model, Model, Tokenizer]:
    """The same weights with a window of W and with none."""
    adapter = games.load(game)
    spec = GameSpec.of(adapter)
    torch.manual_seed(0)
    windowed = Model(preset("tiny"), dataclasses.replace(spec, window=W)).eval()
    whole = Model(preset("tiny"), dataclasses.replace(spec, window=0)).eval()
    whole.load_state_dict(windowed.state_dict())
    return windowed, whole, Tokenizer.for_game(adapter)


def late_states(tok: Tokenizer, n: int = 4):
    """Decision states in the second half of random games (long histories)."""
    rng, out = random.Random(1), []
    while len(out) < n:
        tr = trace(tok.adapter, play_random(tok.adapter, rng))
        out.append(tr.states[tr.decisions * 3 // 4])
    return out


def split(ids: list[int]) -> tuple[list[int], list[int]]:
    """(events, view part) of an observation's ids after its head, or of a hidden stream."""
    cut = ids.index(VIEW) if VIEW in ids else len(ids)
    return ids[:cut], ids[cut:]


def cut_by_hand(tok: Tokenizer, state, hidden: bool) -> list[int]:
    p = state.current_player()
    obs, hid = tok.encode_observation(state, p), tok.encode_hidden(state, p)
    events, view = split(obs[3:])
    hid_events, hid_view = split(hid)
    if hidden:
        hid = hid_events[-W:] + hid_view
    return obs[:3] + events[-W:] + view + [SEP] + hid + [EOS]


@pytest.mark.parametrize("game", ["crazy_eights", "hearts", "gin_rummy", "leduc_poker"])
def test_the_window_keeps_the_head_the_latest_events_and_the_views(game):
    windowed, _, tok = models(game)
    states = late_states(tok)
    ids = pad_rows([full_tokens(tok, s, s.current_player()) for s in states])
    for hidden in (False, True):
        got, dropped = windowed._window(ids, hidden=hidden)
        for row, lost, s in zip(got.tolist(), dropped.tolist(), states):
            want = cut_by_hand(tok, s, hidden)
            assert [t for t in row if t != PAD] == want
            assert lost == len(tok.encode_observation(s, s.current_player())) + 1 + len(
                tok.encode_hidden(s, s.current_player())) + 1 - len(cut_by_hand(tok, s, False))


def test_h_with_a_window_reads_what_a_model_without_one_reads_of_the_cut_rows():
    windowed, whole, tok = models("crazy_eights")
    states = late_states(tok)
    full = pad_rows([full_tokens(tok, s, s.current_player()) for s in states])
    cut = pad_rows([cut_by_hand(tok, s, True) for s in states])
    with torch.no_grad():
        assert torch.allclose(windowed.represent(full), whole.represent(cut), atol=1e-5)
        assert not torch.allclose(whole.represent(full), whole.represent(cut), atol=1e-3)  # the cut matters
    assert windowed.read_lengths(full).tolist() == [len(cut_by_hand(tok, s, True)) for s in states]


def test_b_with_a_window_reads_the_cut_observation_and_scores_every_hidden_token():
    windowed, whole, tok = models("crazy_eights")
    states = late_states(tok)
    full_rows = [full_tokens(tok, s, s.current_player()) for s in states]
    cut_rows = [cut_by_hand(tok, s, False) for s in states]
    with torch.no_grad():
        lp, count = windowed.belief_log_prob(pad_rows(full_rows), torch.tensor([r.index(SEP) for r in full_rows]))
        lp2, count2 = whole.belief_log_prob(pad_rows(cut_rows), torch.tensor([r.index(SEP) for r in cut_rows]))
        assert count.tolist() == count2.tolist() == [
            len(tok.encode_hidden(s, s.current_player())) + 1 for s in states]  # hidden words and <eos>
        assert torch.allclose(lp, lp2, atol=1e-4)
        obs = [tok.encode_observation(s, s.current_player()) for s in states]
        reader, reference = _Reader(windowed, obs), _Reader(whole, [r[:r.index(SEP)] for r in cut_rows])
        assert torch.allclose(reader.logits, reference.logits, atol=1e-4)
