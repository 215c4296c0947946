"""The K-step unrolled loss: every head of the model trained against real-game targets of a
`agent.model.targets.Batch`.

From the root latent s0 = h(root full state) the model is unrolled with the
real actions: s -> phi(s, a) -> g(afterstate, e(what chance did after a)).
At each step k the terms are value, to-play, terminal, policy (over the real
legal actions), generator NLL (every legal action of the real state, not only
the one taken), in games with a view the cards each seat holds and the cards a
legal action names (the playable term), in games with
table words what the view's table shows, in games with seat words each
seat's bid and tricks (the facts term), and, for
k < K, reward, afterstate Q, chance-code cross-entropy (sigma against the
encoder's code for the real transition), code diversity and commitment;
with its weight set, at k >= 1 the consistency of the unrolled latent with h's
latent of the real state there (held fixed). The belief NLL is taken at the
root. As in MuZero, terms at k >= 1 are scaled by 1/K and the gradient
entering each dynamics step is halved.
"""
from __future__ import annotations

import dataclasses
import math

import torch
from torch.nn import functional as F

from agent.model import PAD, Model
from agent.model.networks import scale_gradient
from agent.model.targets import Batch


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """Weights of the loss terms."""

    value: float = 0.25
    """Value MSE (returns over the game's value scale)."""
    reward: float = 1.0
    """Reward MSE (scaled like the value)."""
    q: float = 0.25
    """Afterstate Q MSE (scaled like the value)."""
    policy: float = 1.0
    """Policy-scorer cross-entropy against the search's policy over the legal actions."""
    generator: float = 1.0
    """Generator NLL, averaged over the legal set of each real state."""
    belief: float = 1.0
    """Belief-sampler NLL per hidden token."""
    to_play: float = 1.0
    """Cross-entropy of who acts."""
    terminal: float = 1.0
    """Binary cross-entropy of whether the game has ended."""
    chance: float = 1.0
    """Cross-entropy of sigma against the chance encoder's code."""
    commitment: float = 0.25
    """Squared distance between the encoder's probabilities and its one-hot code."""
    holding: float = 0.1
    """Games with a view: which cards each seat holds, at every step (the dynamics must carry the hands)."""
    playable: float = 1.0
    """Games with a view: which cards a legal action names, at every step (G's pointer reads it as a prior)."""
    table: float = 1.0
    """Games with table_words: what the view's table shows at every step (the facts legality hangs on)."""
    facts: float = 1.0
    """Games with seat_words: each seat's bid and tricks in the view at every step (what the score hangs on: the
    dynamics must write a bid its action makes)."""
    diversity: float = 0.1
    """log M minus the entropy of the batch's mean code: keeps chance outcomes from sharing one code."""
    consistency: float = 0.0
    """1 - cosine similarity of each unrolled latent's slots to h's of the real state there (held fixed).
    EfficientZero's temporal consistency: the dynamics made to carry what h reads. Off until measured to help."""

    def __post_init__(self):
        """Refuse a weight that is not a finite number >= 0."""
        bad = {name: w for name, w in dataclasses.asdict(self).items()
               if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w < math.inf}
        if bad:
            raise ValueError(f"loss weights must be finite numbers >= 0, got {bad}")


def bag_loss(logits: torch.Tensor, bags: torch.Tensor) -> torch.Tensor:
    """Per row, the mean over its bags (rows, bags, V) of the summed yes/no cross-entropy of every token, per
    token in the bag (the holding and table terms)."""
    target = bags.to(logits.dtype)
    bce = F.binary_cross_entropy_with_logits(logits, target, reduction="none").sum(-1)
    return (bce / target.sum(-1).clamp(min=1)).mean(-1)


def named_cards(legal: torch.Tensor, card_ids: torch.Tensor) -> torch.Tensor:
    """Which cards (ids `card_ids`) a legal action's tokens name: legal token rows (B, C, A) -> (B, cards) bool."""
    return (legal.flatten(1).unsqueeze(-1) == card_ids).any(1)


def _some(legal: torch.Tensor, used: torch.Tensor, n: int) -> torch.Tensor:
    """`legal` (rows, C, A) with each row's used actions cut to a uniform random `n` of them where it has more
    (0: all of them)."""
    if not n or legal.shape[1] <= n:
        return legal
    # drawn on the CPU: its generator's state is in the checkpoints, so a resumed run draws what it would have
    pick = torch.rand(used.shape).to(used.device).masked_fill(~used, -1.0).topk(n, -1).indices  # used first
    return legal.gather(1, pick.unsqueeze(-1).expand(-1, -1, legal.shape[-1]))


def unrolled_loss(model: Model, batch: Batch, weights: LossConfig = LossConfig(), *,
                  generator_actions: int = 0) -> tuple[torch.Tensor, dict]:
    """(total loss, {term: float}) for one batch; terms are unweighted per-step means summed over steps (belief only
    when its weight is not 0: it is the one term with its own network and a long input). The generator's NLL
    reads `generator_actions` legal actions of each state, drawn uniformly (torch's CPU generator) where it has
    more (0: all of them).

    Only the dynamics chain runs step by step; the heads, the generator and the chance encoder then read all
    K + 1 steps' latents (K steps' events) in one call each, rows step-major, which is faster than step by step
    (tests/test_losses.py holds the step-by-step form and checks the two agree)."""
    B, K = batch.actions.shape[:2]
    scale = model.value_scale
    step_weight = torch.full((K + 1,), 1.0 / max(K, 1), device=batch.root.device)
    step_weight[0] = 1.0
    terms: dict[str, torch.Tensor] = {}

    def add(name: str, per_row: torch.Tensor, mask: torch.Tensor | None = None) -> None:
        """Per-row values (steps * B,) -> each step's (masked) mean, weighted 1 at k = 0 and 1/K after."""
        x = per_row.view(-1, B)
        if mask is None:
            means = x.mean(1)
        else:
            m = mask.T.to(x.dtype)  # (steps, B)
            means = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        terms[name] = (means * step_weight[:len(means)]).sum()

    if weights.belief:
        lp, count = model.belief_log_prob(batch.root, batch.root_sep)
        terms["belief"] = -lp.sum() / count.sum().clamp(min=1)
    step_major = lambda x: x.transpose(0, 1).flatten(0, 1)  # noqa: E731  (B, S, ...) -> (S * B, ...)
    code, probs = model.chance_code(step_major(batch.chance_events), groups=K) if K else (None, None)
    s = model.represent(batch.root)
    latents, afters, rewards = [s], [], []
    for k in range(K):
        after = model.afterstate(scale_gradient(s, 0.5), batch.actions[:, k])
        s, r = model.dynamics(after, code[k * B:(k + 1) * B])
        latents.append(s)
        afters.append(after)
        rewards.append(r)
    s = torch.cat(latents)  # ((K + 1) * B, L, W)
    live = batch.live
    pred = model.predict(s)
    add("value", F.mse_loss(pred.value / scale, step_major(batch.value) / scale, reduction="none").sum(-1))
    add("terminal", F.binary_cross_entropy_with_logits(pred.terminal, step_major(batch.terminal), reduction="none"))
    add("to_play", F.cross_entropy(pred.to_play, step_major(batch.to_play), reduction="none"), live)
    legal = step_major(batch.legal)  # ((K + 1) * B, C, A)
    used = legal[..., 0] != PAD  # a state's legal actions fill its first rows
    C = max(int(used.sum(1).max()), 1)
    legal, used = legal[:, :C], used[:, :C]
    logits = model.score(s, legal).masked_fill(~used, -1e9)
    add("policy", -(step_major(batch.policy)[:, :C] * logits.log_softmax(-1)).sum(-1), live)
    add("generator", -model.action_log_prob(s, _some(legal, used, generator_actions)).sum(-1)
        / used.sum(-1).clamp(min=1, max=generator_actions or C), live)
    if model.spec.view:
        add("holding", bag_loss(model.holdings(s), step_major(batch.holding)), live)  # N seats
    if model.cards is not None:
        named = named_cards(legal, model.cards.card_ids).unsqueeze(1)  # (rows, 1, cards)
        add("playable", bag_loss(model.playable(s).unsqueeze(1), named), live)
    if model.spec.table:
        add("table", bag_loss(model.table(s), step_major(batch.table)), live)  # R table words
    if model.spec.seat_facts:
        add("facts", bag_loss(model.facts(s), step_major(batch.facts)), live)  # N seats x S seat words
    if weights.consistency and K:
        if batch.next_roots.shape[-1] == 0:
            raise ValueError("the consistency term needs each unrolled step's real state: make_batch(..., "
                             "next_roots=True)")
        real = live[:, 1:].T.flatten().nonzero().squeeze(-1)  # step-major rows of steps 1..K with a real state
        gap = torch.zeros((K + 1) * B, device=s.device, dtype=s.dtype)  # step 0, h's own latent, has none
        if len(real):
            with torch.no_grad():  # h of the real states, held fixed
                target = model.represent(step_major(batch.next_roots)[real])
            gap = gap.index_put((B + real,), 1 - F.cosine_similarity(s[B:][real], target, dim=-1).mean(-1))
        unrolled = torch.cat([torch.zeros_like(live[:, :1]), live[:, 1:]], 1)
        add("consistency", gap, unrolled)
    if K:
        exists = batch.exists
        q, sigma = model.afterstate_predict(torch.cat(afters))
        value = step_major(batch.value[:, :K]) / scale
        add("q", F.mse_loss(q / scale, value, reduction="none").sum(-1), exists)
        add("chance", F.cross_entropy(sigma, code.detach().argmax(-1), reduction="none"), exists)
        add("commitment", ((code.detach() - probs) ** 2).sum(-1), exists)
        r = torch.cat(rewards) / scale
        add("reward", F.mse_loss(r, step_major(batch.reward) / scale, reduction="none").sum(-1), exists)
        m = exists.T.unsqueeze(-1).to(probs.dtype)  # (K, B, 1)
        mean = (probs.view(K, B, -1) * m).sum(1) / m.sum(1).clamp(min=1)  # each step's mean code distribution
        entropy_gap = math.log(probs.shape[-1]) + (mean * mean.clamp_min(1e-12).log()).sum(-1)
        terms["diversity"] = (entropy_gap * step_weight[:K]).sum()
    total = sum(getattr(weights, name) * value for name, value in terms.items())
    return total, {name: float(value.detach()) for name, value in terms.items()}
