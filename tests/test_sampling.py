"""Known-answer tests of the batched samplers: their draws follow the network's own exact probabilities.

A forward hook confines each decoder to a few tokens, so the distribution over
whole sequences can be enumerated by teacher forcing and compared with the
frequencies of many batched draws.
"""
from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
import torch

import games
from agent.model import EOS, Model
from agent.model.config import GameSpec, preset
from agent.model.sampling import _Reader, sample_actions, sample_hidden

ALLOWED = [40, 41, EOS]  # the only tokens the hooked decoders can say (two card words and <eos>)
DRAWS = 6000


def confine(decoder, allowed=ALLOWED) -> None:
    """Make `decoder` put (almost) all mass on `allowed` tokens, keeping its own preferences among them."""
    def hook(module, inputs, out):
        mask = torch.full_like(out, -40.0)
        mask[..., allowed] = 0.0
        return out * 3 + mask  # sharpen so the probabilities are far from uniform

    decoder.lm_head.register_forward_hook(hook)


@pytest.fixture(scope="module")
def model() -> Model:
    spec = dataclasses.replace(GameSpec.of(games.load("leduc_poker")), max_action_len=3)
    torch.manual_seed(0)
    m = Model(preset("tiny"), spec).eval()
    confine(m.generator)
    confine(m.belief)
    return m


def universe(length: int) -> list[tuple[int, ...]]:
    """Every token path of the capped tree: finished sequences (ending in <eos>) and unfinished ones of `length`."""
    out = []
    for n in range(1, length + 1):
        for seq in itertools.product(ALLOWED, repeat=n):
            if EOS not in seq[:-1] and (seq[-1] == EOS or n == length):
                out.append(seq)
    return out


def exact_action_probs(model: Model, s: torch.Tensor, length: int) -> dict[tuple[int, ...], float]:
    paths = universe(length)
    tokens = torch.tensor([list(p) + [0] * (length - len(p)) for p in paths]).unsqueeze(0)
    with torch.no_grad():
        lp = model.action_log_prob(s, tokens)[0]
    return dict(zip(paths, lp.exp().tolist()))


def tv(p: dict, q: dict) -> float:
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in set(p) | set(q))


def test_one_candidate_is_an_ancestral_sample(model):
    s = torch.randn(1, 4, 64)
    exact = exact_action_probs(model, s, 3)
    assert abs(sum(exact.values()) - 1) < 1e-3
    out = sample_actions(model, s.expand(DRAWS, -1, -1), 1, coverage=1.0, min_ratio=0.0,
                        generator=torch.Generator().manual_seed(1))
    counts: dict = {}
    for row in out.rows():
        for tokens, _ in row:
            counts[tokens] = counts.get(tokens, 0) + 1 / DRAWS
    finished = {k: v for k, v in exact.items() if k[-1] == EOS}
    assert tv(counts, finished) < 0.03


def test_k_candidates_are_a_sample_without_replacement(model):
    """P(first i, then j) = p_i * p_j / (1 - p_i); unfinished paths take a slot and are then dropped."""
    s = torch.randn(1, 4, 64)
    exact = exact_action_probs(model, s, 3)
    want: dict = {}
    for i, j in itertools.permutations(exact, 2):
        kept = frozenset(x for x in (i, j) if x[-1] == EOS)
        want[kept] = want.get(kept, 0.0) + exact[i] * exact[j] / (1 - exact[i])
    out = sample_actions(model, s.expand(DRAWS, -1, -1), 2, coverage=1.0, min_ratio=0.0,
                        generator=torch.Generator().manual_seed(2))
    got: dict = {}
    for row in out.rows():
        tokens = [t for t, _ in row]
        assert len(set(tokens)) == len(tokens)  # distinct by construction
        key = frozenset(tokens)
        got[key] = got.get(key, 0) + 1 / DRAWS
    assert tv(got, want) < 0.04


def test_log_probs_are_the_generators_and_coverage_drops_the_tail(model):
    s = torch.randn(3, 4, 64)
    full = sample_actions(model, s, 8, coverage=1.0, min_ratio=0.0, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        teacher = model.action_log_prob(s, full.tokens)
    assert torch.allclose(teacher[full.mask], full.log_prob[full.mask], atol=1e-4)
    probs = full.log_prob.exp() * full.mask
    part = sample_actions(model, s, 8, coverage=0.5, min_ratio=0.0, generator=torch.Generator().manual_seed(0))
    for b in range(3):
        p = sorted(probs[b].tolist(), reverse=True)
        p = [x / sum(p) for x in p]  # shares of the finished candidates' mass
        need = next((i + 1 for i in range(len(p)) if sum(p[:i + 1]) >= 0.5), int(full.mask[b].sum()))
        assert int(part.mask[b].sum()) == need  # most probable first, until half the mass is covered
    assert (part.mask.sum(1) <= full.mask.sum(1)).all()


def test_min_ratio_drops_candidates_far_less_probable_than_the_best(model):
    s = torch.randn(3, 4, 64)
    full = sample_actions(model, s, 8, coverage=1.0, min_ratio=0.0, generator=torch.Generator().manual_seed(0))
    floor = sample_actions(model, s, 8, coverage=1.0, min_ratio=0.7, generator=torch.Generator().manual_seed(0))
    for want_row, got_row in zip(full.rows(), floor.rows()):
        best = max(lp for _, lp in want_row)
        want = [t for t, lp in want_row if lp >= best + math.log(0.7)]  # same draws, so the same candidates
        assert [t for t, _ in got_row] == want
        assert 0 < len(want) < len(want_row)  # the random model's candidates are uneven: the floor bites


def test_fewer_candidates_when_the_generator_knows_fewer_actions(model):
    """With mass on one sequence, K = 8 gives one candidate, not seven fillers."""
    spec = model.spec
    torch.manual_seed(1)
    sure = Model(preset("tiny"), spec).eval()
    confine(sure.generator, [EOS])
    out = sample_actions(sure, torch.randn(4, 4, 64), 8)
    assert out.mask.sum(1).tolist() == [1, 1, 1, 1]
    assert [r[0][0] for r in out.rows()] == [(EOS,)] * 4


def test_sampling_is_deterministic_under_a_seeded_generator(model):
    s = torch.randn(5, 4, 64)
    a = sample_actions(model, s, 4, generator=torch.Generator().manual_seed(7))
    b = sample_actions(model, s, 4, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a.tokens, b.tokens) and torch.equal(a.mask, b.mask)
    h1 = sample_hidden(model, [[1, 40], [1, 41, 41]], 3, max_len=3, generator=torch.Generator().manual_seed(7))
    h2 = sample_hidden(model, [[1, 40], [1, 41, 41]], 3, max_len=3, generator=torch.Generator().manual_seed(7))
    assert h1 == h2


def test_hidden_samples_follow_the_belief_networks_probabilities(model):
    """Batched, left-padded sampling with a KV cache draws what teacher forcing says, for prompts of two lengths."""
    prompts = [[1, 40], [1, 41, 40, 41]]
    samples = sample_hidden(model, prompts, DRAWS // 2, max_len=3, generator=torch.Generator().manual_seed(3))
    for prompt, drawn in zip(prompts, samples):
        paths = universe(3)
        rows = [prompt + [3] + list(p) for p in paths]
        tokens = torch.tensor([r + [0] * (max(map(len, rows)) - len(r)) for r in rows])
        with torch.no_grad():
            lp, _ = model.belief_log_prob(tokens, torch.full((len(rows),), len(prompt)))
        exact = {tuple(t for t in p if t != EOS): v for p, v in zip(paths, lp.exp().tolist())}
        got: dict = {}
        for h in drawn:
            got[tuple(h)] = got.get(tuple(h), 0) + 1 / len(drawn)
        assert abs(sum(exact.values()) - 1) < 1e-3
        assert tv(got, exact) < 0.04


def test_reading_chunks_gives_the_logits_of_reading_the_whole_row(model):
    """b's reader fed a few tokens per row in one call (some rows none, over two calls) ends with the logits a
    plain forward pass over each whole row gives at its last token; rows that share a prompt (read once) go
    their own ways after it."""
    prompts = [[1, 40], [1, 41, 40, 41, 40], [1, 40, 41], [1, 40]]
    chunks = [[[40, 41, 40], [], [41], [41, 41]], [[41], [40, 40], [], [40]]]
    reader = _Reader(model, prompts)
    for chunk in chunks:
        reader.feed_rows(chunk)
    for i, prompt in enumerate(prompts):
        row = prompt + [3] + [t for chunk in chunks for t in chunk[i]]
        with torch.no_grad():
            want = model.belief(input_ids=torch.tensor([row])).logits[0, -1]
        assert torch.allclose(reader.logits[i], want, atol=1e-4), i
