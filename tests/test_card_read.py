"""How h fills the card slots (`ModelConfig.card_read`): the cheap reads give a latent of the same shape that
does not depend on the hidden event stream (only on where the view places each card), and a run trains with them."""
from __future__ import annotations

import random

import pytest
import torch

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model import SEP, Model
from agent.model.config import CARD_READS, GameSpec, preset
from agent.model.tokens import pad_rows
from agent.training.config import TrainConfig
from agent.training.trainer import Trainer
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

VIEW = vocab.ids()[vocab.VIEW]


def rows_with_other_hidden_events(game: str, n: int = 6) -> tuple[list[list[int]], list[list[int]]]:
    """Full-state rows of mid-game states, and the same rows with their hidden events (between `<sep>` and the
    hidden view) cut to their last token: the view, and so where each card is, stays the same."""
    adapter = games.load(game)
    tok, rng = Tokenizer(adapter), random.Random(0)
    rows, cut = [], []
    while len(rows) < n:
        tr = trace(adapter, play_random(adapter, rng))
        state = tr.states[tr.decisions // 2]
        row = full_tokens(tok, state, state.current_player())
        sep = row.index(SEP)
        view = row.index(VIEW, sep)
        if view - sep > 2:  # some hidden events to cut
            rows.append(row)
            cut.append(row[:sep + 1] + row[view - 1:])
    return rows, cut


@pytest.mark.parametrize("read", CARD_READS)
def test_the_cheap_card_reads_do_not_read_the_hidden_events(read):
    torch.manual_seed(0)
    adapter = games.load("hearts")
    model = Model(preset("tiny", card_read=read), GameSpec.of(adapter)).eval()
    rows, cut = rows_with_other_hidden_events("hearts")
    with torch.no_grad():
        s, t = model.represent(pad_rows(rows)), model.represent(pad_rows(cut))
    assert s.shape == (len(rows), model.cfg.latent_slots + 52, model.cfg.width)
    same = torch.allclose(s, t, atol=1e-5)
    assert same == (read != "view")  # the two-pass read sees the hidden events; the cheap ones do not
    assert (model.read_lengths(pad_rows(rows)) < pad_rows(rows).ne(0).sum(1)).all() or read == "view"


def test_card_read_is_checked_and_a_run_learns_with_the_cheap_one(tmp_path):
    with pytest.raises(ValueError, match="card_read must be one of view, together, embed"):
        preset("tiny", card_read="slots")
    cfg = TrainConfig(game="hearts", preset="tiny", model={"card_read": "embed"}, device="cpu", batch_size=8,
                      unroll=2, updates_per_iteration=2, steps=10, wandb_mode="disabled", out=tmp_path / "run",
                      actor="inline")
    trainer = Trainer(cfg)
    try:
        adapter = games.load("hearts")
        trainer.replay.add([play_random(adapter, random.Random(i)) for i in range(2)], 1)
        before = [p.detach().clone() for p in trainer.model.card_mlp.parameters()]
        trainer.learn()
        assert any(not torch.equal(b, p) for b, p in zip(before, trainer.model.card_mlp.parameters()))
    finally:
        trainer.close()


def test_worlds_of_one_root_share_the_observation_read():
    """Under `embed` h reads each distinct observation once (the search's worlds of a root share it): a batch
    with repeated observations gives each row the latent it gets read alone."""
    torch.manual_seed(0)
    model = Model(preset("tiny", card_read="embed"), GameSpec.of(games.load("hearts"))).eval()
    rows, cut = rows_with_other_hidden_events("hearts", 3)
    batch = [rows[0], cut[0], rows[1], rows[0], rows[2], cut[1]]  # rows[0] and cut[0]: one observation
    with torch.no_grad():
        together = model.represent(pad_rows(batch))
        alone = torch.cat([model.represent(pad_rows([r])) for r in batch])
    assert torch.allclose(together, alone, atol=1e-5)


def test_embed_reads_the_observation_without_its_views_cards():
    """Under `embed` the pass over the observation skips the card tokens of its view (the card slots carry them):
    it reads exactly that many tokens fewer than under `together`, counted here from the rows' words."""
    torch.manual_seed(0)
    adapter = games.load("hearts")
    rows, _ = rows_with_other_hidden_events("hearts")
    ids = pad_rows(rows)
    lengths = {read: Model(preset("tiny", card_read=read), GameSpec.of(adapter)).read_lengths(ids)
               for read in ("together", "embed")}
    cards = {card for card, _, _ in vocab.card_parts()}
    view_cards = torch.tensor([sum(t in cards for t in r[r.index(VIEW):r.index(SEP)]) for r in rows])
    assert (view_cards > 0).all() and torch.equal(lengths["together"] - lengths["embed"], view_cards)
