"""Batched sampling from the two autoregressive networks, with a key-value cache: actions from G, hidden states from b
(freely, or constrained to possible worlds by games.belief walks).

Distinct actions come from stochastic beam search (Kool, van Hoof and Welling,
2019): Gumbel-perturbed log-probabilities are pushed down the token tree so
that the top K sequences are a sample *without replacement* from G. So the K
candidates are distinct by construction and none is wasted on a duplicate.
The search wants fewer candidates when the generator is sure there are fewer
actions: candidates are then kept in order of probability until they cover
`coverage` of the found candidates' mass, so a state with three legal actions
gets three, not three plus illegal fillers, and a candidate less than
`min_ratio` times as probable as the best is dropped (min-p truncation): the
mass a partly trained G leaves off the legal set is spread thin over many
sequences, so a relative floor removes it where a share of the mass cannot.

Both loops keep transformers' `DynamicCache` between steps and call the model
on one new token per sequence (the walk sampler: the chosen word and the
forced words after it, in one call); `scripts.benchmark` compares them with
`generate()`.
"""
from __future__ import annotations

import dataclasses
import math

import torch
from transformers import DynamicCache

from agent.model import EOS, PAD, SEP, Model
from agent.model.networks import CACHE
from games.belief import Walk
from tokenizer import vocab

NEG = -1e9  # a finite "minus infinity" that keeps Gumbel arithmetic free of NaN


@dataclasses.dataclass
class Candidates:
    """Up to K distinct actions per latent: token ids, exact log-probabilities under G, which slots are used."""

    tokens: torch.Tensor  # (B, K, A) action token ids ending in <eos>, <pad> after; unused slots all <pad>
    log_prob: torch.Tensor  # (B, K) log G(action | s); NEG for unused slots
    mask: torch.Tensor  # (B, K) bool, True where a candidate is kept

    def rows(self) -> list[list[tuple[tuple[int, ...], float]]]:
        """Per latent: [(tokens without padding, log-prob)] for the kept candidates, most probable first."""
        out = []
        for toks, lps, keep in zip(self.tokens.tolist(), self.log_prob.tolist(), self.mask.tolist()):
            out.append([(tuple(t for t in tk if t != PAD), lp) for tk, lp, k in zip(toks, lps, keep) if k])
        return out


def _log1mexp(x: torch.Tensor) -> torch.Tensor:
    """log(1 - exp(x)) for x <= 0, stable at both ends."""
    return torch.where(x > -0.6931, torch.log(-torch.expm1(x)), torch.log1p(-torch.exp(x)))


def _conditioned_gumbel(phi: torch.Tensor, parent: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
    """Gumbels with locations `phi` (..., V) conditioned to have maximum `parent` (..., 1) (Kool et al., eq. 23)."""
    u = torch.rand(phi.shape, generator=gen, device=phi.device).clamp_(1e-20, 1 - 1e-7)
    g = phi - torch.log(-torch.log(u))
    z = g.max(-1, keepdim=True).values
    v = parent - g + _log1mexp((g - z).clamp(max=0.0))
    return parent - torch.nn.functional.softplus(v)


@torch.no_grad()
def sample_actions(model: Model, s: torch.Tensor, k: int | None = None, *, coverage: float | None = None,
                   min_ratio: float | None = None, generator: torch.Generator | None = None) -> Candidates:
    """Up to `k` distinct actions per latent s (B, L, W), sampled without replacement from G (stochastic beam);
    `coverage` and `min_ratio` default to the model config's."""
    k = k or model.cfg.candidates
    coverage = model.cfg.coverage if coverage is None else coverage
    min_ratio = model.cfg.min_ratio if min_ratio is None else min_ratio
    B, A, dev = s.shape[0], model.spec.max_action_len, s.device
    cache = DynamicCache()  # filled in place by every call below
    out = model.generator.model(inputs_embeds=model.generator_prefix(s), use_cache=True, **{CACHE: cache})
    pointer = model.generator_pointer(s)
    first = model.generator_logits(out.last_hidden_state[:, -1:], pointer)[:, -1]
    cache.batch_repeat_interleave(k)
    pointer = None if pointer is None else pointer.repeat_interleave(k, 0)  # beams of one latent share it
    V = first.shape[-1]
    logp = first.float().log_softmax(-1).unsqueeze(1).expand(B, k, V).clone()  # (B, K, V)
    phi = torch.full((B, k), NEG, device=dev)
    phi[:, 0] = 0.0  # one live beam (the empty sequence) at the start
    score = phi.clone()  # perturbed log-probabilities G of the beams
    tokens = torch.full((B, k, A), PAD, dtype=torch.long, device=dev)
    done = torch.zeros(B, k, dtype=torch.bool, device=dev)
    embed = model.generator.get_input_embeddings()
    for t in range(A):
        if t > 0:
            step = model.generator.model(inputs_embeds=embed(tokens[:, :, t - 1].reshape(B * k, 1)),
                                         use_cache=True, **{CACHE: cache})
            logits = model.generator_logits(step.last_hidden_state, pointer)[:, -1]
            logp = logits.float().log_softmax(-1).view(B, k, V)
        # a finished beam has one child: itself (token <pad>, log-prob 0)
        logp = torch.where(done.unsqueeze(-1), torch.full_like(logp, NEG), logp)
        logp[..., PAD] = torch.where(done, 0.0, NEG)
        child_phi = phi.unsqueeze(-1) + logp  # (B, K, V)
        child_score = _conditioned_gumbel(child_phi, score.unsqueeze(-1), generator)
        child_score = torch.where(child_phi <= NEG / 2, torch.full_like(child_score, 2 * NEG), child_score)
        score, flat = child_score.view(B, k * V).topk(k, -1)  # (B, K)
        parent, token = flat // V, flat % V
        phi = child_phi.view(B, k * V).gather(1, flat)
        tokens = tokens.gather(1, parent.unsqueeze(-1).expand(-1, -1, A)).clone()
        tokens[:, :, t] = token
        done = done.gather(1, parent) | (token == EOS)
        cache.reorder_cache((parent + torch.arange(B, device=dev).unsqueeze(1) * k).view(-1))
        if bool((done | (phi <= NEG / 2)).all()):
            break
    alive = done & (phi > NEG / 2)
    return _keep_covering(tokens, torch.where(alive, phi, NEG), alive, coverage, min_ratio)


def _keep_covering(tokens, log_prob, alive, coverage: float, min_ratio: float = 0.0) -> Candidates:
    """Sort candidates by probability; keep each while the ones before it cover less than `coverage` of the
    finished candidates' mass (G's mass on sequences that never end within the length cap would otherwise
    keep the coverage out of reach and let candidates of negligible probability in) and it is at least
    `min_ratio` times as probable as the most probable one."""
    log_prob, order = log_prob.sort(-1, descending=True)
    tokens = tokens.gather(1, order.unsqueeze(-1).expand_as(tokens))
    alive = alive.gather(1, order)
    mass = log_prob.exp() * alive
    mass = mass / mass.sum(-1, keepdim=True).clamp(min=1e-30)
    before = torch.cumsum(mass, -1) - mass
    keep = alive & (before < coverage)
    if min_ratio > 0:
        keep &= log_prob >= log_prob[:, :1] + math.log(min_ratio)
    tokens = torch.where(keep.unsqueeze(-1), tokens, PAD)
    return Candidates(tokens=tokens, log_prob=torch.where(keep, log_prob, NEG), mask=keep)


class _Reader:
    """b reading a batch of prompts (an observation and `<sep>` each), then one more token per row at a time,
    with a key-value cache; `logits` are b's next-token logits for every row."""

    def __init__(self, model: Model, observations: list[list[int]]):
        self.model, self.dev = model, next(model.parameters()).device
        rows = model.windowed([list(o) + [SEP] for o in observations])
        first: dict[tuple, int] = {}  # each distinct prompt is read once (a root's worlds share its observation)
        index = [first.setdefault(tuple(p), len(first)) for p in rows]
        prompts = [list(p) for p in first]
        model.check_ids(torch.tensor([max(p) for p in prompts]))
        R, self.width = len(prompts), max(len(p) for p in prompts)
        ids = torch.full((R, self.width), PAD, dtype=torch.long, device=self.dev)
        self.mask = torch.zeros(R, self.width, dtype=torch.long, device=self.dev)
        for i, p in enumerate(prompts):  # left padding: every prompt ends at the last column
            ids[i, self.width - len(p):] = torch.tensor(p)
            self.mask[i, self.width - len(p):] = 1
        pos = (self.mask.cumsum(1) - 1).clamp(min=0)
        self.cache, self.last = DynamicCache(), pos[:, -1]  # the cache is filled in place by every call
        self._read(ids, pos)
        if R < len(rows):  # every row from its prompt's read
            rows_of = torch.tensor(index, device=self.dev)
            self.cache.reorder_cache(rows_of)
            self.logits, self.mask, self.last = self.logits[rows_of], self.mask[rows_of], self.last[rows_of]

    def _read(self, ids: torch.Tensor, pos: torch.Tensor) -> None:
        out = self.model.belief(input_ids=ids, attention_mask=self.mask, position_ids=pos, use_cache=True,
                                **{CACHE: self.cache})
        self.logits = out.logits[:, -1].float()

    def feed(self, nxt: torch.Tensor) -> None:
        """Read one more token per row (R,)."""
        self.mask = torch.cat([self.mask, torch.ones(len(nxt), 1, dtype=torch.long, device=self.dev)], 1)
        self.last = self.last + 1
        self._read(nxt.unsqueeze(1), self.last.unsqueeze(1))

    def feed_rows(self, rows: list[list[int]]) -> None:
        """Read a few more tokens per row (some rows none) in one call; each row's `logits` are then those after
        its last token (unchanged for a row given none). The rows' unused columns are masked out for good."""
        T = max(1, max(map(len, rows)))
        ids = torch.full((len(rows), T), PAD, dtype=torch.long)
        used = torch.zeros(len(rows), T, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
            used[i, :len(r)] = 1
        ids, used = ids.to(self.dev), used.to(self.dev)
        pos = self.last.unsqueeze(1) + used.cumsum(1).clamp(min=1)  # padding columns repeat a position; masked
        self.mask = torch.cat([self.mask, used], 1)
        n = used.sum(1)
        self.last = self.last + n
        before = self.logits
        out = self.model.belief(input_ids=ids, attention_mask=self.mask, position_ids=pos, use_cache=True,
                                **{CACHE: self.cache})
        after = out.logits[torch.arange(len(rows), device=self.dev), (n - 1).clamp(min=0)].float()
        self.logits = torch.where((n > 0).unsqueeze(1), after, before)


@torch.no_grad()
def sample_hidden(model: Model, observations: list[list[int]], n: int = 1, *, max_len: int | None = None,
                  generator: torch.Generator | None = None) -> list[list[list[int]]]:
    """b: `n` hidden-token samples (without `<eos>`) for each observation (token ids, `<sep>` not included)."""
    reader = _Reader(model, [o for o in observations for _ in range(n)])
    max_len = max_len or max(1, model.cfg.max_tokens - reader.width)
    finished = torch.zeros(len(observations) * n, dtype=torch.bool, device=reader.dev)
    sampled = []
    for _ in range(max_len):
        nxt = torch.multinomial(reader.logits.softmax(-1), 1, generator=generator).squeeze(1)
        nxt = torch.where(finished, PAD, nxt)
        sampled.append(nxt)
        finished |= nxt == EOS
        if bool(finished.all()):
            break
        reader.feed(nxt)
    seqs = torch.stack(sampled, 1).tolist()
    rows = [[t for t in seq[:seq.index(EOS)]] if EOS in seq else [t for t in seq if t != PAD] for seq in seqs]
    return [rows[i * n:(i + 1) * n] for i in range(len(observations))]


@torch.no_grad()
def sample_hidden_walks(model: Model, observations: list[list[int]], walks: list[Walk], *,
                        generator: torch.Generator | None = None) -> list[list[int]]:
    """b's hidden tokens for each row (an observation's token ids, `<sep>` not included, and the walk that builds
    that row's world), constrained to possible worlds: where the walk offers a choice, b's probabilities
    renormalised over the words it allows; where it forces a word, that word. Each walk ends complete (its
    `world()`), and the row's tokens are its hidden words."""
    ids, reader = vocab.ids(), _Reader(model, observations)
    dev = reader.dev
    chunks = [[ids[w] for w in walk.take_forced()] for walk in walks]  # what each row reads next, in one call
    while not all(walk.done for walk in walks):
        if any(chunks):
            reader.feed_rows(chunks)
        live = [i for i, walk in enumerate(walks) if not walk.done]
        offered = [{ids[w]: w for w in walks[i].allowed()} for i in live]  # each live row's allowed words by id
        rows = [r for r, words in enumerate(offered) for _ in words]
        cols = [c for words in offered for c in words]
        if max(cols) >= model.spec.vocab_size:  # a word added after the model was trained: refuse, in one line
            model.check_ids(torch.tensor(cols))
        allowed = torch.zeros(len(live), reader.logits.shape[-1], dtype=torch.bool)
        allowed[rows, cols] = True
        # b's probabilities renormalised over each row's allowed words, all rows drawn in one call
        logits = reader.logits[torch.tensor(live, device=dev)].masked_fill(~allowed.to(dev), -math.inf)
        drawn = torch.multinomial(logits.softmax(-1), 1, generator=generator).squeeze(1).tolist()
        chunks = [[] for _ in walks]
        for i, words, token in zip(live, offered, drawn):
            walk = walks[i]
            walk.feed(words[token])
            forced = walk.take_forced()
            # a finished row's last words need no reading; otherwise the chosen word and the forced ones after it
            chunks[i] = [] if walk.done else [token] + [ids[w] for w in forced]
    return [[ids[w] for w in walk.words] for walk in walks]
