"""The batched unrolled loss against a step-by-step reference written from its definition (losses.py's docstring)."""
from __future__ import annotations

import copy
import math
import random

import pytest
import torch
from torch.nn import functional as F

import games
from agent.episodes import play_random, trace
from agent.model import PAD, Model
from agent.model.config import GameSpec, preset
from agent.model.losses import LossConfig, unrolled_loss
from agent.model.networks import scale_gradient
from agent.model.targets import make_batch
from tokenizer.tokenizer import Tokenizer


def _mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def reference_loss(model: Model, batch, weights: LossConfig) -> tuple[torch.Tensor, dict]:
    """Unroll one step at a time and take every term of that step on its own B rows: step 0 weighs 1, the
    others 1/K; masked terms average over the rows where the step is live (or an action exists)."""
    K, scale = batch.actions.shape[1], model.value_scale
    terms = {}

    def add(name, value, k):
        terms[name] = terms.get(name, 0.0) + value * (1.0 if k == 0 else 1.0 / K)

    lp, count = model.belief_log_prob(batch.root, batch.root_sep)
    terms["belief"] = -lp.sum() / count.sum()
    s = model.represent(batch.root)
    for k in range(K + 1):
        live, pred, legal = batch.live[:, k].float(), model.predict(s), batch.legal[:, k]
        if k:  # the unrolled latent against h of the real state there, held fixed (live rows only)
            rows = batch.live[:, k].nonzero().squeeze(-1)
            gap = torch.zeros(len(s))
            if len(rows):
                with torch.no_grad():
                    target = model.represent(batch.next_roots[rows, k - 1])
                gap = gap.index_put((rows,), 1 - F.cosine_similarity(s[rows], target, dim=-1).mean(-1))
            add("consistency", _mean(gap, live), k)
        add("value", ((pred.value - batch.value[:, k]) / scale).pow(2).sum(-1).mean(), k)
        add("terminal", F.binary_cross_entropy_with_logits(pred.terminal, batch.terminal[:, k]), k)
        add("to_play", _mean(F.cross_entropy(pred.to_play, batch.to_play[:, k], reduction="none"), live), k)
        used = legal[..., 0] != PAD
        logp = model.score(s, legal).masked_fill(~used, -1e9).log_softmax(-1)
        add("policy", _mean(-(batch.policy[:, k] * logp).sum(-1), live), k)
        add("generator", _mean(-model.action_log_prob(s, legal).sum(-1) / used.sum(-1).clamp(min=1), live), k)
        if model.spec.view:
            held = batch.holding[:, k].float()
            bce = F.binary_cross_entropy_with_logits(model.holdings(s), held, reduction="none").sum(-1)
            add("holding", _mean((bce / held.sum(-1).clamp(min=1)).mean(-1), live), k)
        if model.cards is not None:
            named_sets = [set(legal[b].flatten().tolist()) for b in range(len(legal))]  # each row's action tokens
            named = torch.tensor([[float(c in row) for c in model.cards.card_ids.tolist()] for row in named_sets])
            bce = F.binary_cross_entropy_with_logits(model.playable(s), named, reduction="none").sum(-1)
            add("playable", _mean(bce / named.sum(-1).clamp(min=1), live), k)
        if model.spec.table:
            shown = batch.table[:, k].float()
            bce = F.binary_cross_entropy_with_logits(model.table(s), shown, reduction="none").sum(-1)
            add("table", _mean((bce / shown.sum(-1).clamp(min=1)).mean(-1), live), k)
        if model.spec.seat_facts:
            shown = batch.facts[:, k].float()
            bce = F.binary_cross_entropy_with_logits(model.facts(s), shown, reduction="none").sum(-1)
            add("facts", _mean((bce / shown.sum(-1).clamp(min=1)).mean(-1), live), k)
        if k == K:
            break
        exists = batch.exists[:, k].float()
        after = model.afterstate(scale_gradient(s, 0.5), batch.actions[:, k])
        q, sigma = model.afterstate_predict(after)
        code, probs = model.chance_code(batch.chance_events[:, k])
        add("q", _mean(((q - batch.value[:, k]) / scale).pow(2).sum(-1), exists), k)
        add("chance", _mean(F.cross_entropy(sigma, code.detach().argmax(-1), reduction="none"), exists), k)
        add("commitment", _mean(((code.detach() - probs) ** 2).sum(-1), exists), k)
        mean = (probs * exists[:, None]).sum(0) / exists.sum().clamp(min=1)
        add("diversity", math.log(probs.shape[-1]) + (mean * mean.clamp_min(1e-12).log()).sum(), k)
        s, r = model.dynamics(after, code)
        add("reward", _mean(((r - batch.reward[:, k]) / scale).pow(2).sum(-1), exists), k)
    total = sum(getattr(weights, name) * value for name, value in terms.items())
    return total, {name: float(value.detach()) for name, value in terms.items()}


@pytest.mark.parametrize("game", ["leduc_poker", "crazy_eights", "spades", "go_fish"])  # no view; a view of cards;
def test_the_batched_loss_equals_the_step_by_step_one(game):  # with seat facts too; a view of ranks (no card slots)
    adapter = games.load(game)
    tok, rng = Tokenizer.for_game(adapter), random.Random(0)
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(adapter)).train()
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(12)]
    samples = [(tr, rng.randrange(tr.decisions)) for tr in rng.choices(traces, k=16)]  # some unrolls pass the end
    batch = make_batch(tok, samples, 4, 8, rng, next_roots=True)
    assert not batch.live.all() and batch.live[:, -1].any()
    twin = copy.deepcopy(model)
    weights = LossConfig(**{f: 1.0 + i / 10 for i, f in enumerate(LossConfig.__dataclass_fields__)})
    got, got_terms = unrolled_loss(model, batch, weights)
    want, want_terms = reference_loss(twin, batch, weights)
    assert got_terms.keys() == want_terms.keys()
    for name in want_terms:
        assert got_terms[name] == pytest.approx(want_terms[name], rel=1e-5, abs=1e-6), name
    got.backward()
    want.backward()
    # sums over many rows, taken in another order: off by ~1e-7 of the largest gradient, anywhere
    atol = 1e-5 * max(float(q.grad.abs().max()) for q in twin.parameters() if q.grad is not None)
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert (p.grad is None) == (q.grad is None), name
        if p.grad is not None:
            torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=atol, msg=lambda m, name=name: f"{name}: {m}")
    # the chance encoder's running statistics moved once per step, as in the reference
    torch.testing.assert_close(model.chance_norm.running_mean, twin.chance_norm.running_mean)


def test_the_generator_term_on_some_legal_actions_estimates_it_on_all():
    """G's loss on a uniform random 2 of each state's legal actions averages, over many draws, to its loss on all
    of them (and is that loss itself where no state has more than 2)."""
    adapter = games.load("crazy_eights")
    tok, rng = Tokenizer.for_game(adapter), random.Random(1)
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(adapter)).eval()
    traces = [trace(adapter, play_random(adapter, rng)) for _ in range(6)]
    batch = make_batch(tok, [(tr, rng.randrange(tr.decisions)) for tr in rng.choices(traces, k=8)], 2, 8, rng)
    with torch.no_grad():
        full = unrolled_loss(model, batch)[1]["generator"]
        assert int((batch.legal[..., 0] != 0).sum(-1).max()) > 2  # some states have more than 2
        draws = torch.tensor([unrolled_loss(model, batch, generator_actions=2)[1]["generator"] for _ in range(300)])
        assert unrolled_loss(model, batch, generator_actions=8)[1]["generator"] == pytest.approx(full, rel=1e-6)
    assert float(draws.std()) > 0  # the subsets differ
    assert float(draws.mean()) == pytest.approx(full, abs=4 * float(draws.std()) / 300 ** 0.5)


def test_the_consistency_term_refuses_a_batch_without_the_real_states():
    adapter = games.load("leduc_poker")
    tok, rng = Tokenizer.for_game(adapter), random.Random(0)
    model = Model(preset("tiny"), GameSpec.of(adapter))
    batch = make_batch(tok, [(trace(adapter, play_random(adapter, rng)), 0)], 2, 8, rng)
    with pytest.raises(ValueError, match="next_roots=True"):
        unrolled_loss(model, batch, LossConfig(consistency=1.0))


def test_the_consistency_term_is_zero_where_every_unrolled_step_is_past_the_end():
    """The last decision of a game unrolled 2 steps: no real state to match, so no term (and no refusal)."""
    adapter = games.load("leduc_poker")
    tok, rng = Tokenizer.for_game(adapter), random.Random(0)
    model = Model(preset("tiny"), GameSpec.of(adapter))
    tr = trace(adapter, play_random(adapter, rng))
    batch = make_batch(tok, [(tr, tr.decisions - 1)], 2, 8, rng, next_roots=True)
    assert not batch.live[:, 1:].any()
    assert unrolled_loss(model, batch, LossConfig(consistency=1.0))[1]["consistency"] == 0.0
