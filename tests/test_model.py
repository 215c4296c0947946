"""Known-answer tests of the learned model's pieces: shapes, determinism, gradients, straight-through codes."""
from __future__ import annotations

import random

import pytest
import torch

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model import EOS, PAD, Model
from agent.model.cards import view_part
from agent.model.config import GameSpec, preset
from agent.model.losses import LossConfig, unrolled_loss
from agent.model.networks import scale_gradient, straight_through_one_hot
from agent.model.targets import make_batch
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

UNROLL = 3


def build(game: str, seed: int = 0) -> tuple[Model, Tokenizer]:
    adapter = games.load(game)
    torch.manual_seed(seed)
    return Model(preset("tiny"), GameSpec.of(adapter)), Tokenizer.for_game(adapter)


def real_batch(tok: Tokenizer, n: int, seed: int = 0):
    rng = random.Random(seed)
    traces = [trace(tok.adapter, play_random(tok.adapter, rng)) for _ in range(n)]
    samples = [(tr, rng.randrange(tr.decisions)) for tr in traces]
    return samples, make_batch(tok, samples, UNROLL, 8, rng, next_roots=True)  # every term can be taken


@pytest.mark.parametrize("game, L", [("leduc_poker", 4), ("hearts", 56), ("crazy_eights", 56)])  # + 52 card slots
@pytest.mark.parametrize("B", [1, 5])
def test_every_function_has_the_documented_shapes(game, L, B):
    model, tok = build(game)
    _, batch = real_batch(tok, B)
    W, N, M = 64, tok.adapter.num_players, model.cfg.chance_codes
    s = model.represent(batch.root)
    assert s.shape == (B, L, W)
    pred = model.predict(s)
    assert pred.value.shape == (B, N) and pred.to_play.shape == (B, N) and pred.terminal.shape == (B,)
    legal = batch.legal[:, 0]
    assert model.score(s, legal).shape == legal.shape[:2]
    assert model.action_log_prob(s, legal).shape == legal.shape[:2]
    after = model.afterstate(s, batch.actions[:, 0])
    assert after.shape == (B, L, W)
    q, sigma = model.afterstate_predict(after)
    assert q.shape == (B, N) and sigma.shape == (B, M)
    code, probs = model.chance_code(batch.chance_events[:, 0])
    assert code.shape == probs.shape == (B, M)
    s2, r = model.dynamics(after, code)
    assert s2.shape == (B, L, W) and r.shape == (B, N)
    if model.spec.view:
        assert model.holdings(s2).shape == batch.holding[:, 0].shape == (B, N, tok.vocab_size)
    lp, count = model.belief_log_prob(batch.root, batch.root_sep)
    assert lp.shape == count.shape == (B,)
    assert torch.equal(count, (batch.root != 0).sum(1) - batch.root_sep - 1)  # hidden tokens + <eos>


@pytest.mark.parametrize("game, zero_sum", [("leduc_poker", True), ("liars_dice", True), ("hearts", False)])
def test_return_heads_sum_to_zero_exactly_where_every_real_outcome_does(game, zero_sum):
    model, tok = build(game)
    rng = random.Random(0)
    finals = [trace(tok.adapter, play_random(tok.adapter, rng)).states[-1].returns() for _ in range(50)]
    assert all(abs(sum(r)) < 1e-9 for r in finals) == zero_sum == model.spec.zero_sum
    _, batch = real_batch(tok, 5)
    s = model.represent(batch.root)
    after = model.afterstate(s, batch.actions[:, 0])
    q, _ = model.afterstate_predict(after)
    _, r = model.dynamics(after, model.chance_code(batch.chance_events[:, 0])[0])
    for x in (model.predict(s).value, q, r):
        sums = x.sum(-1).abs()
        assert bool((sums < 1e-5).all()) if zero_sum else bool((sums > 1e-5).all()), x


def test_a_card_is_embedded_as_itself_plus_its_rank_and_suit_words_for_h_and_g_alike():
    model, tok = build("crazy_eights")
    at = vocab.ids()
    base = model.repr.embed_tokens.base.weight
    table = model.repr.embed_tokens.table()
    assert torch.allclose(table[at["H7"]], base[at["H7"]] + base[at["R7"]] + base[at["suit_H"]])
    assert torch.equal(table[at["draw"]], base[at["draw"]])  # words that are not cards are left alone
    ids = torch.tensor([[at["H7"], at["draw"]]])
    assert torch.equal(model.generator.get_input_embeddings()(ids), model.repr.embed_tokens(ids))
    h = torch.randn(3, model.cfg.width)
    assert torch.allclose(model.generator.lm_head(h), h @ table.T)  # G names cards by the vectors h reads
    assert "generator.lm_head.weight" not in model.state_dict()  # stored once, under repr


def test_g_points_at_a_card_through_that_cards_own_slot():
    """The pointer adds slot i's score to the logit of the card slot i was built from, and to no other token (with
    the playable prior off: it reads every slot through the playable head)."""
    model, tok = build("crazy_eights")
    _, batch = real_batch(tok, 2)
    with torch.no_grad():
        model.cards.play_gate.zero_()
        s = model.represent(batch.root)
        k, i = model.cfg.latent_slots, 17
        card = int(model.cards.card_ids[i])
        moved = s.clone()
        moved[:, k + i] += 1.0
        hidden = torch.randn(2, 3, model.cfg.width)
        diff = model.generator_logits(hidden, model.generator_pointer(moved)) - model.generator_logits(
            hidden, model.generator_pointer(s))
    changed = (diff.abs() > 1e-6).any(1).any(0).nonzero().flatten().tolist()
    assert changed == [card]
    leduc, leduc_tok = build("leduc_poker")  # no view, no card slots: G names cards by the table alone
    assert leduc.generator_pointer(leduc.represent(real_batch(leduc_tok, 1)[1].root)) is None


def test_the_playable_prior_adds_the_gate_times_log_sigmoid_of_the_playable_head():
    """With gate w, each card's logit gains w * log sigmoid(the model's playable logit for it); no other token's
    logit moves, and G's loss trains the gate but not the head it reads."""
    model, tok = build("crazy_eights")
    _, batch = real_batch(tok, 3)
    s = model.represent(batch.root).detach()
    hidden = torch.randn(3, 2, model.cfg.width)
    with torch.no_grad():
        model.cards.play_gate.zero_()
        off = model.generator_logits(hidden, model.generator_pointer(s))
        model.cards.play_gate.fill_(2.0)
        on = model.generator_logits(hidden, model.generator_pointer(s))
        want = 2.0 * torch.log(torch.sigmoid(model.playable(s)))  # (B, cards)
    cards = model.cards.card_ids
    others = torch.ones(off.shape[-1], dtype=torch.bool)
    others[cards] = False
    assert torch.allclose((on - off)[..., cards], want[:, None, :].expand(-1, 2, -1), atol=1e-4)
    assert torch.equal(on[..., others], off[..., others])
    model.zero_grad()
    model.action_log_prob(model.represent(batch.root), batch.legal[:, 1]).sum().backward()
    assert model.cards.play_gate.grad.abs().item() > 0
    for head in (model.playable_head[0].weight, model.cards.playable[0].weight):
        assert head.grad is None or not head.grad.any()


@pytest.mark.parametrize("game", ["leduc_poker", "crazy_eights"])
@pytest.mark.parametrize("B", [3, 20])  # 20 rows: h reads them in groups of similar length
def test_padding_does_not_change_a_row(game, B):
    model, tok = build(game)
    _, batch = real_batch(tok, B)
    model.eval()
    with torch.no_grad():
        together = model.represent(batch.root)
        alone = torch.cat([model.represent(batch.root[i:i + 1]) for i in range(B)])
        both = model.action_log_prob(together, batch.legal[:, 0])
        each = torch.cat([model.action_log_prob(together[i:i + 1], batch.legal[i:i + 1, 0]) for i in range(B)])
    assert torch.allclose(together, alone, atol=1e-5)
    assert torch.allclose(both, each, atol=1e-4)


@pytest.mark.parametrize("game", ["leduc_poker", "crazy_eights"])
def test_action_log_prob_equals_one_uncached_pass_over_prefix_and_action(game):
    """The cached prefix shared by a latent's candidates gives what G computes on prefix + tokens in one pass."""
    model, tok = build(game)
    _, batch = real_batch(tok, 3)
    gaps = batch.legal[:, 0].clone()  # candidates not packed to the left, and a latent without any between two
    gaps[0, 0] = PAD
    gaps[1] = PAD
    for legal in (batch.legal[:, 0], gaps):
        check_one_uncached_pass(model, legal, model.represent(batch.root))


def check_one_uncached_pass(model: Model, legal: torch.Tensor, s: torch.Tensor) -> None:
    """`action_log_prob` of every candidate against G run once over prefix + its tokens; 0 where there is none."""
    with torch.no_grad():
        got = model.action_log_prob(s, legal)
        assert bool((got[legal[..., 0] == PAD] == 0).all())
        for b, c in (legal[..., 0] != PAD).nonzero().tolist():
            seq = legal[b, c][legal[b, c] != PAD]
            embed = model.generator.get_input_embeddings()
            x = torch.cat([model.generator_prefix(s[b:b + 1]), embed(seq[None, :-1])], 1)
            hidden = model.generator.model(inputs_embeds=x).last_hidden_state[:, s.shape[1] - 1:]
            pointer = model.generator_pointer(s[b:b + 1])
            want = model.generator_logits(hidden, pointer).log_softmax(-1)[0, torch.arange(len(seq)), seq].sum()
            assert abs(float(got[b, c]) - float(want)) < 1e-4, (b, c)


def test_same_seed_same_model_and_outputs():
    a, tok = build("leduc_poker", seed=3)
    b, _ = build("leduc_poker", seed=3)
    c, _ = build("leduc_poker", seed=4)
    _, batch = real_batch(tok, 4)
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(x, y), name
    la, _ = unrolled_loss(a, batch)
    lb, _ = unrolled_loss(b, batch)
    lc, _ = unrolled_loss(c, batch)
    assert la.item() == lb.item() and la.item() != lc.item()


def _grads(model: Model, batch, **weights) -> dict[str, bool]:
    model.zero_grad(set_to_none=True)
    zero = {f: 0.0 for f in LossConfig.__dataclass_fields__}
    loss, _ = unrolled_loss(model, batch, LossConfig(**{**zero, **weights}))
    loss.backward()
    return {n: p.grad is not None and bool(p.grad.abs().sum() > 0) for n, p in model.named_parameters()}


def _touched(flags: dict[str, bool], prefix: str) -> bool:
    return any(v for n, v in flags.items() if n.startswith(prefix))


@pytest.mark.parametrize("game, fields", [("leduc_poker", {}), ("crazy_eights", {}), ("spades", {}), ("go_fish", {}),
                                          ("hearts", {"chance_read": "outcome", "action_read": "slots"})])
def test_the_whole_loss_trains_every_parameter(game, fields):
    """No view; a view of cards; seat facts; a view of ranks (no card slots); outcomes (seat votes) and the action
    read into every slot."""
    adapter = games.load(game)
    torch.manual_seed(0)
    model, tok = Model(preset("tiny", **fields), GameSpec.of(adapter)), Tokenizer.for_game(adapter)
    rng = random.Random(0)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(8)]
    samples = [(tr, rng.randrange(tr.decisions)) for tr in traces]
    batch = make_batch(tok, samples, UNROLL, 8, rng, next_roots=True, outcomes=model.reads_outcomes)
    flags = _grads(model, batch, **{f: 1.0 for f in LossConfig.__dataclass_fields__})
    assert [n for n, v in flags.items() if not v] == []


@pytest.mark.parametrize("game, term, reaches, spares", [
    ("leduc_poker", "belief", ["belief."], ["repr.", "generator.", "scorer", "prediction.", "chance_net.",
                                            "dynamics_net."]),
    ("leduc_poker", "generator", ["generator.", "generator_in.", "repr.", "slots", "afterstate_net.", "dynamics_net.",
                                  "chance_net.", "code_embed."],
     ["belief.", "scorer", "prediction.", "afterstate_head."]),
    ("crazy_eights", "generator", ["generator.", "cards.query.", "cards.key.", "cards.start", "repr.",
                                   "cards.same_suit.", "cards.same_rank.", "cards.acted_on.", "cards.code_cards.",
                                   "cards.drawn", "cards.card_codes."],
     ["holding_head.", "cards.holding.", "table_head.", "belief.", "scorer", "prediction."]),
    ("leduc_poker", "policy", ["scorer.", "scorer_state.", "action_tokens.", "repr."],
     ["generator.", "belief.", "prediction."]),
    ("leduc_poker", "value", ["prediction.", "repr.", "dynamics_net."],
     ["generator.", "belief.", "scorer.", "reward_head."]),
    ("leduc_poker", "reward", ["reward_head.", "dynamics_net.", "chance_net.", "afterstate_net."],
     ["prediction.", "belief."]),
    ("leduc_poker", "chance", ["afterstate_head.", "afterstate_net."],
     ["reward_head.", "prediction.", "belief.", "generator."]),
    ("leduc_poker", "diversity", ["chance_net.", "chance_head."],
     ["afterstate_net.", "repr.", "dynamics_net.", "belief."]),
    ("leduc_poker", "commitment", ["chance_net.", "chance_head."],
     ["afterstate_net.", "repr.", "dynamics_net.", "belief."]),
    ("crazy_eights", "commitment", ["chance_net.", "chance_head.", "cards.card_codes."],
     ["cards.code_cards.", "cards.drawn", "afterstate_net.", "dynamics_net.", "repr."]),
    ("crazy_eights", "holding", ["holding_head.", "cards.holding.", "repr.", "slots", "cards.start", "afterstate_net.",
                                 "dynamics_net.", "chance_net.", "code_embed."],
     ["table_head.", "generator.", "cards.query.", "cards.key.", "belief.", "scorer", "prediction.",
      "afterstate_head.", "reward_head."]),
    ("crazy_eights", "table", ["table_head.", "repr.", "slots", "afterstate_net.", "dynamics_net.", "chance_net.",
                               "code_embed."],
     ["holding_head.", "cards.holding.", "generator.", "cards.query.", "cards.key.", "belief.", "scorer",
      "prediction.", "afterstate_head.", "reward_head."]),
])
def test_each_loss_term_trains_what_it_should_and_nothing_else(game, term, reaches, spares):
    model, tok = build(game)
    _, batch = real_batch(tok, 8)
    flags = _grads(model, batch, **{term: 1.0})
    assert all(_touched(flags, p) for p in reaches), [p for p in reaches if not _touched(flags, p)]
    assert not any(_touched(flags, p) for p in spares), [p for p in spares if _touched(flags, p)]


def test_phi_marks_the_card_an_action_names_and_the_cards_sharing_its_suit_or_rank(monkeypatch):
    """Before its encoder, phi adds what the action says to the card slots: `play D7` reaches slot D7 and the
    slots of the diamonds and the sevens, and every other card slot only by a constant shared with `draw`."""
    model, tok = build("crazy_eights")
    monkeypatch.setattr(Model, "_combine", staticmethod(lambda net, s, extra: torch.cat([s, extra[:, None]], 1)))
    ids, names = vocab.ids(), tok.describe(model.cards.card_ids.tolist())
    s = torch.randn(1, model.cfg.latent_slots + len(names), model.cfg.width)
    with torch.no_grad():
        play = model.afterstate(s, torch.tensor([[ids["play"], ids["D7"], EOS]]))
        draw = model.afterstate(s, torch.tensor([[ids["draw"], EOS, PAD]]))
    assert torch.equal(play[:, :model.cfg.latent_slots], s[:, :model.cfg.latent_slots])  # general slots untouched
    moved = [n for n, d in zip(names, (play - draw)[0, model.cfg.latent_slots:]) if d.abs().max() > 1e-6]
    assert sorted(moved) == sorted(n for n in names if n[0] == "D" or n[1] == "7")


def test_g_marks_exactly_the_card_slots_its_code_names(monkeypatch):
    """Before its encoder, g adds `code_cards[card, code] * drawn` to each card slot and nothing elsewhere."""
    model, tok = build("crazy_eights")
    monkeypatch.setattr(Model, "_combine", staticmethod(lambda net, s, extra: torch.cat([s, extra[:, None]], 1)))
    names = tok.describe(model.cards.card_ids.tolist())
    S = model.cfg.latent_slots
    after = torch.randn(2, S + len(names), model.cfg.width)
    weights = torch.zeros(len(names), model.cfg.chance_codes)
    weights[names.index("DK"), 3], weights[names.index("S5"), 3], weights[names.index("H2"), 7] = 1.0, 2.0, -1.0
    with torch.no_grad():
        model.cards.code_cards.weight.copy_(weights)
        nxt, _ = model.dynamics(after, model.one_hot_code(torch.tensor([3, 7])))
    marks = nxt[:, S:] - after[:, S:]
    assert torch.equal(nxt[:, :S], after[:, :S])  # the general slots only through the encoder
    want = torch.zeros_like(marks)
    want[0, names.index("DK")], want[0, names.index("S5")] = model.cards.drawn, 2 * model.cards.drawn
    want[1, names.index("H2")] = -model.cards.drawn
    assert torch.allclose(marks, want, atol=1e-6)


def test_chance_codes_start_as_one_per_card_drawn_and_code_0_for_no_card():
    """On real crazy_eights transitions, before training: a draw's code is mostly its card's (whoever drew it,
    seen or not: the vote is CARD_VOTE logits against untrained features, which outvote it on a few draws; on
    seeds 0-7 between 0 and 4 of 47), each code marks one card's slot alone, and a transition with no card in it
    gets code 0, which marks none."""
    model, tok = build("crazy_eights", seed=4)
    _, batch = real_batch(tok, 40)
    events = batch.chance_events.flatten(0, 1)
    with torch.no_grad():
        code = model.chance_code(events)[0].argmax(-1)
    card_of = {int(c): i for i, c in enumerate(model.cards.card_ids)}
    own = {}
    for row, c in zip(events.tolist(), code.tolist()):
        if not any(row):  # past the end of the game: no transition
            continue
        named = {card_of[t] for t in row if t in card_of}
        if not named:
            assert c == 0, tok.describe(row)
            continue
        assert len(named) == 1, tok.describe(row)  # one draw between two decisions
        card = named.pop()
        own[card, c] = model.cards.code_cards.weight[:, c].nonzero().flatten().tolist() == [card]
    assert sum(own.values()) >= 0.9 * len(own) and len(own) >= 10
    assert len({c for (_, c), mine in own.items() if mine}) == sum(own.values())  # distinct cards, distinct codes
    assert not model.cards.code_cards.weight[:, 0].any()


def test_reading_outcomes_puts_each_trick_taker_on_a_code_of_its_own():
    """On real hearts play, before training, with e reading outcomes: a trick's end (`p+k take`, its taker the
    seat OpenSpiel has lead next) gets taker k's code, distinct per taker and from a play that caused nothing;
    the default model reads chance alone and has no seat votes (old model files load unchanged)."""
    adapter = games.load("hearts")
    torch.manual_seed(0)
    model, tok = Model(preset("tiny", chance_read="outcome"), GameSpec.of(adapter)), Tokenizer.for_game(adapter)
    rng = random.Random(5)
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(4)]
    samples = [(tr, i) for tr in traces for i in range(12, tr.decisions - 1)]  # past the deal and the passes
    batch = make_batch(tok, samples, 1, 4, rng, outcomes=True)
    with torch.no_grad():
        code = model.chance_code(batch.chance_events[:, 0])[0].argmax(-1).tolist()
    by_taker = {}
    for row, c in zip(batch.chance_events[:, 0].tolist(), code):
        words = tok.describe([t for t in row if t != tok.pad])
        taker = vocab.SEATS.index(words[0]) if "take" in words else None  # the seat the rules say (test_episodes)
        by_taker.setdefault(taker, set()).add(c)
    assert set(by_taker) == {None, 0, 1, 2, 3}
    assert all(len(codes) == 1 for codes in by_taker.values()), by_taker
    assert len({min(codes) for codes in by_taker.values()}) == 5
    plain, _ = build("hearts")
    assert plain.cards.seat_codes is None and not plain.reads_outcomes


def test_reading_the_action_into_every_slot_moves_a_bid_afterstate():
    """At a spades bid, which names no card: phi's afterstate moves with the bid in every slot once it reads the
    action into the slots (`action_read` slots), and the bid's map is what moves it; the default has no such map."""
    adapter = games.load("spades")
    tok = Tokenizer.for_game(adapter)
    state = adapter.new_initial_state()
    rng = random.Random(0)
    while state.is_chance_node():
        state.apply_action(rng.choice([o for o, _ in state.chance_outcomes()]))
    bids = [a for a in state.legal_actions() if tok.describe(tok.encode_action(state, a))[0] == "bid"]
    acts = torch.nn.utils.rnn.pad_sequence([torch.tensor(tok.encode_action(state, a)) for a in bids],
                                           batch_first=True, padding_value=tok.pad)
    root = torch.tensor([full_tokens(tok, state, state.current_player())])
    torch.manual_seed(0)
    model = Model(preset("tiny", action_read="slots"), GameSpec.of(adapter))
    with torch.no_grad():
        s = model.represent(root).expand(len(bids), -1, -1)
        moved = model.afterstate(s, acts)
        model.action_slots.weight.zero_()
        model.action_slots.bias.zero_()
        still = model.afterstate(s, acts)
    spread = lambda x: ((x - x.mean(0)).norm(dim=-1) / x.norm(dim=-1)).mean(0)  # noqa: E731  per slot
    assert (spread(moved) > spread(still)).all() and spread(moved).mean() > 3 * spread(still).mean()
    assert build("spades")[0].action_slots is None


def test_straight_through_code_is_one_hot_forward_and_softmax_backward():
    torch.manual_seed(0)
    logits = torch.randn(6, 32, requires_grad=True)
    code, probs = straight_through_one_hot(logits)
    assert torch.equal(code, torch.nn.functional.one_hot(logits.argmax(-1), 32).float())
    weights = torch.randn(6, 32)
    (code * weights).sum().backward()
    expected = torch.autograd.grad((logits.softmax(-1) * weights).sum(), logits)[0]
    assert torch.allclose(logits.grad, expected)


def test_model_codes_are_one_hot():
    model, tok = build("leduc_poker")
    _, batch = real_batch(tok, 6)
    code, probs = model.chance_code(batch.chance_events[:, 0])
    assert torch.equal(code.detach().sum(-1), torch.ones(6)) and set(code.detach().unique().tolist()) <= {0.0, 1.0}
    assert torch.allclose(probs.sum(-1), torch.ones(6))


def test_scale_gradient_scales_only_the_gradient():
    x = torch.randn(5, requires_grad=True)
    y = scale_gradient(x, 0.5)
    assert torch.equal(y, x)
    (3 * y).sum().backward()
    assert torch.allclose(x.grad, torch.full((5,), 1.5))


def test_targets_follow_the_real_game():
    """Value targets are returns-to-go, rewards sum to the returns, to-play and terminal follow the history."""
    _, tok = build("leduc_poker")
    samples, batch = real_batch(tok, 6, seed=2)
    for b, (tr, t) in enumerate(samples):
        root = tr.states[t].current_player()
        final = tr.states[-1].returns()
        assert batch.value[b, 0].tolist() == [final[root], final[1 - root]]
        for k in range(UNROLL + 1):
            if t + k < tr.decisions:
                assert batch.to_play[b, k] == (tr.states[t + k].current_player() - root) % 2
                assert batch.terminal[b, k] == 0
            else:
                assert batch.terminal[b, k] == 1 and not batch.live[b, k]
        steps = min(UNROLL, tr.decisions - t)
        assert torch.allclose(batch.reward[b, :steps].sum(0) + batch.value[b, steps], batch.value[b, 0])


def test_representation_reads_hidden_first_and_refuses_rows_without_sep():
    from agent.model import EOS, SEP
    rows = torch.tensor([[10, 11, 12, SEP, 20, 21, EOS, 0], [10, SEP, 20, EOS, 0, 0, 0, 0],
                         [10, 11, SEP, 0, 0, 0, 0, 0]])
    assert Model._hidden_first(rows).tolist() == [[20, 21, SEP, 10, 11, 12],  # left-padded, <eos> dropped
                                                  [0, 0, 0, 20, SEP, 10],
                                                  [0, 0, 0, SEP, 10, 11]]
    with pytest.raises(ValueError, match="<sep>"):
        Model._hidden_first(torch.tensor([[10, 11, 12]]))


def test_card_slots_read_the_view_alone():
    """crazy_eights shows its view: the player's hand and the card to match before `<sep>`, the others' hands
    after it. One slot per card of the deck reads both parts and nothing else; the first slots read the whole
    full state."""
    from agent.model import EOS, SEP
    from agent.model.model import VIEW
    rows = torch.tensor([[10, 11, VIEW, 12, 13, SEP, 20, VIEW, 21, EOS], [10, SEP, 20, 21, 0, 0, 0, 0, 0, 0],
                         [VIEW, 12, SEP, 0, 0, 0, 0, 0, 0, 0], [10, SEP, VIEW, 21, 22, 0, 0, 0, 0, 0]])
    assert view_part(rows, 0).tolist() == [[VIEW, 12, 13], [0, 0, 0], [0, VIEW, 12], [0, 0, 0]]
    assert view_part(rows, 1).tolist() == [[0, VIEW, 21], [0, 0, 0], [0, 0, 0], [VIEW, 21, 22]]  # none: empty
    model, tok = build("crazy_eights")
    samples, batch = real_batch(tok, 2)
    root = batch.root[:1]
    (seen,), (unseen,) = (root[0] == VIEW).nonzero().tolist()
    sep = int((root[0] == SEP).nonzero())
    other = root.clone()
    other[0, 1:seen] = root[0, 1:seen].flip(0)  # the same views after other histories
    other[0, sep + 1:unseen] = root[0, sep + 1:unseen].flip(0)
    hands = root.clone()
    end = int((root[0] != 0).sum()) - 1  # the <eos>
    hands[0, unseen + 3:end] = root[0, unseen + 3:end].flip(0)  # the opponent's hand in another order
    with torch.no_grad():
        a, b, c = model.represent(root), model.represent(other), model.represent(hands)
    k = model.cfg.latent_slots
    assert a.shape[1] == k + len(vocab.card_parts())
    assert torch.allclose(a[:, k:], b[:, k:], atol=1e-6) and not torch.allclose(a[:, :k], b[:, :k], atol=1e-3)
    assert not torch.allclose(a[:, :k], c[:, :k], atol=1e-3)  # the history slots read the hands too
    assert not torch.allclose(a[:, k:], c[:, k:], atol=1e-3)  # and so do the card slots
    tr, t = samples[0]
    state, player = tr.states[t], tr.states[t].current_player()
    words = tok.describe(tok.encode_observation(state, player))
    assert words[words.index("<view>") + 1:words.index("<view>") + 3] == ["me", "hand"]
    hidden = tok.describe(tok.encode_hidden(state, player))
    assert hidden[hidden.index("<view>") + 1:hidden.index("<view>") + 3] == ["p+1", "hand"]


def test_action_quality_is_judged_by_the_real_rules():
    """Leduc after the deal: legal = call, raise (fold is not legal with nothing to call)."""
    from agent.evaluation.generator import Tally
    _, tok = build("leduc_poker")
    state = tok.adapter.new_initial_state()
    state.apply_action(0)
    state.apply_action(1)
    legal = state.legal_actions()
    words = [tuple(tok.encode_action(state, a)) for a in legal]
    fold = tuple(tok.encode_action(state, 0)) if 0 not in legal else None
    garbage = (tok.eos,)
    cands = words[:1] + ([fold] if fold else []) + [garbage]
    tally = Tally()
    verdicts = tally.add(tok, state, cands, k=8)
    assert verdicts[0] == legal[0] and verdicts[1:] == [None] * (len(cands) - 1)
    summary = tally.summary()
    assert summary["precision"] == 1 / len(cands)
    assert summary["recall"] == 1 / min(8, len(legal))
    assert summary["duplicate_rate"] == 0.0


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker"])
def test_generated_action_quality_is_split_by_who_acts_as_in_the_real_game(game):
    """At depths k > 0 a state is in turn when OpenSpiel's seat to act follows the seat that acted at k - 1:
    kuhn poker alternates, so every one is; leduc's second round opens with the first seat again, so some are
    not. The parts hold every state of their depth, the depth's precision lies between theirs, and a to-play
    head made to name relative seat 1 is right exactly where the real seat to act is the root player's
    opponent."""
    from agent.evaluation.generator import generator_quality
    model, tok = build(game)
    samples, batch = real_batch(tok, 60, seed=2)
    with torch.no_grad():  # to-play logits (0, 10) whatever the latent: "the other seat"
        last = model.prediction[2]
        last.weight[2:4] = 0.0
        last.bias[2:4] = torch.tensor([0.0, 10.0])
    quality = generator_quality(model, tok, samples, batch, generator=torch.Generator().manual_seed(0))
    assert not any(k.endswith("turn") for k in quality[0])
    out_of_turn = 0
    for depth, q in quality.items():
        if depth == 0:
            continue
        kinds = {"in_turn": [], "out_of_turn": []}
        for tr, t in (samples[r] for r in batch.live[:, depth].nonzero(as_tuple=True)[0].tolist()):
            before, state = tr.states[t + depth - 1], tr.states[t + depth]
            turn = "in_turn" if state.current_player() == 1 - before.current_player() else "out_of_turn"
            kinds[turn].append(state.current_player() != tr.states[t].current_player())
        for turn, other in kinds.items():
            assert q[f"states_{turn}"] == len(other)
            assert q[f"to_play_accuracy_{turn}"] == pytest.approx(sum(other) / max(len(other), 1))
        if kinds["in_turn"] and kinds["out_of_turn"]:
            low, high = sorted((q["precision_in_turn"], q["precision_out_of_turn"]))
            assert low - 1e-9 <= q["precision"] <= high + 1e-9
        out_of_turn += len(kinds["out_of_turn"])
    assert (out_of_turn == 0) == (game == "kuhn_poker")


def test_each_card_slot_starts_with_where_its_card_is_in_the_view():
    """A card's own context is the sum, over its mentions in the view, of the word opening the mention's event
    and the seat word before that: the mover's cards read `me hand`, the opponent's `p+1 hand` (as the
    tokenizer's holdings, checked against OpenSpiel elsewhere, say), the card to match `top`, the rest nothing.
    Through `same_suit` it adds the own contexts of the other cards of its suit and the nominated suit's word
    when that is its suit, through `same_rank` those of the other cards of its rank."""
    model, tok = build("crazy_eights")
    samples, batch = real_batch(tok, 8, seed=6)  # three of these views name a suit after an eight
    view = model.cards.view(batch.root)
    embed = model.repr.embed_tokens
    with torch.no_grad():
        context = model.cards.context(view)
        me, other, hand, top = embed(torch.tensor([vocab.ids()[w] for w in ("me", "p+1", "hand", "top")]))
    names = tok.describe(model.cards.card_ids.tolist())  # "D7": suit D, rank 7
    nominated_any = False
    for row, (tr, t) in enumerate(samples):
        state = tr.states[t]
        mine, theirs = tok.holdings(state, state.current_player())
        words = tok.describe(view[row].tolist())
        shown = {vocab.ids()[words[i + 1]] for i, w in enumerate(words) if w == "top"}
        nominated = [w for w in words if w.startswith("suit_")]
        nominated_any |= bool(nominated)
        own = torch.stack([(me + hand) * (card in mine) + (other + hand) * (card in theirs) + top * (card in shown)
                           for card in model.cards.card_ids.tolist()])
        for i, name in enumerate(names):
            suit = sum((own[j] for j, n in enumerate(names) if j != i and n[0] == name[0]), torch.zeros_like(me))
            with torch.no_grad():
                suit = suit + sum((embed(torch.tensor(vocab.ids()[w])) for w in nominated if w == "suit_" + name[0]),
                                  torch.zeros_like(me))
                rank = sum((own[j] for j, n in enumerate(names) if j != i and n[1] == name[1]), torch.zeros_like(me))
                want = own[i] + model.cards.same_suit(suit) + model.cards.same_rank(rank)
            assert torch.allclose(context[row, i], want, atol=1e-4), (row, name)
    assert nominated_any  # some sampled view names a suit after an eight
    assert all(len(h) for h in tok.holdings(samples[0][0].states[samples[0][1]], 0))


def test_illegal_candidates_naming_a_card_another_seat_holds_are_counted():
    """Hearts in play, the seat to act following suit: a legal card, a card of the next seat's hand (as OpenSpiel
    shows that seat) and an own card it may not play: two illegal, one of them another seat's."""
    from agent.evaluation.generator import Tally
    _, tok = build("hearts")
    rng = random.Random(0)
    state = tok.adapter.new_initial_state()
    while True:  # random play until the seat to act holds a card it may not play, some way into the game
        if state.is_terminal():
            state = tok.adapter.new_initial_state()
        if state.is_chance_node():
            state.apply_action(rng.choice([o for o, _ in state.chance_outcomes()]))
            continue
        me = state.current_player()
        unplayable = [a for a in _hand(state, me) if a not in state.legal_actions()]
        nxt = _hand(state, (me + 1) % 4)
        if len(state.history()) > 60 and unplayable and nxt:
            break
        state.apply_action(rng.choice(state.legal_actions()))
    cands = [tuple(tok.encode_action(state, a)) for a in (state.legal_actions()[0], nxt[0], unplayable[0])]
    tally = Tally()
    assert tally.add(tok, state, cands, k=8) == [state.legal_actions()[0], None, None]
    assert tally.summary()["other_seats"] == 1 / 3


def _hand(state, player: int) -> list[int]:
    """`player`'s cards as OpenSpiel's information state lists them, a line per suit (`S A943`)."""
    names = {state.action_to_string(player, a): a for a in range(52)}  # '2C', 'TS', ...
    lines = state.information_state_string(player).split("Hand:")[1].split("\n\n")[0].splitlines()
    return [names[rank + line[0]] for line in lines if len(line.split()) == 2 for rank in line.split()[1]]
