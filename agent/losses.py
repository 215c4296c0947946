"""The K-step unrolled loss: every head of the model trained against real-game targets of an `agent.batch.Batch`.

From the root latent s0 = h(root full state) the model is unrolled with the
real actions: s -> phi(s, a) -> g(afterstate, e(what chance did after a)).
At each step k the terms are value, to-play, terminal, policy (over the real
legal actions), generator NLL (every legal action of the real state, not only
the one taken), in games with a view the cards each seat holds, and, for
k < K, reward, afterstate Q, chance-code cross-entropy (sigma against the
encoder's code for the real transition), code diversity and commitment.
The belief NLL is taken at the root. As in MuZero, terms at k >= 1 are
scaled by 1/K and the gradient entering each dynamics step is halved.
"""
from __future__ import annotations

import dataclasses
import math

import torch
from torch.nn import functional as F

from agent.batch import Batch
from agent.model import PAD, Model
from agent.networks import scale_gradient


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """Weights of the loss terms."""

    value: float = 0.25
    """Value MSE (on returns divided by the game's value scale)."""
    reward: float = 1.0
    """Reward MSE (scaled like the value)."""
    q: float = 0.25
    """Afterstate Q MSE (scaled like the value)."""
    policy: float = 1.0
    """Policy-scorer cross-entropy against the target distribution over legal actions."""
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
    """Games with a view: cross-entropy of which cards each seat holds (every token of the vocabulary a yes or
    no, summed, per card held), at every step: it asks the dynamics to carry the others' hands, which the
    generator needs where they move (their legal plays), directly instead of only through G's later terms.
    crazy_eights, tiny with card slots, 1000 steps of 32, seed 0: generator loss 3.18, depth 1 / 3 recall
    0.83 / 0.75; weight 1.0: 3.21, 0.83 / 0.77 (its head knows the hands better, G is no better)."""
    diversity: float = 0.1
    """log M minus the entropy of the encoder's mean code distribution over a batch: keeps distinct chance
    outcomes from collapsing onto one code before the later steps' losses need them told apart."""


def _masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mask = mask.to(x.dtype)
    return (x * mask).sum() / mask.sum().clamp(min=1.0)


def unrolled_loss(model: Model, batch: Batch, weights: LossConfig = LossConfig()) -> tuple[torch.Tensor, dict]:
    """(total loss, {term: float}) for one batch; terms are unweighted per-step means summed over steps (belief only
    when its weight is not 0: it is the one term with its own network and a long input)."""
    K = batch.actions.shape[1]
    scale = model.value_scale
    terms: dict[str, torch.Tensor] = {}

    def add(name: str, value: torch.Tensor, step_scale: float) -> None:
        terms[name] = terms.get(name, 0.0) + value * step_scale

    if weights.belief:
        lp, count = model.belief_log_prob(batch.root, batch.root_sep)
        add("belief", -lp.sum() / count.sum().clamp(min=1), 1.0)
    s = model.represent(batch.root)
    for k in range(K + 1):
        w = 1.0 if k == 0 else 1.0 / K
        live = batch.live[:, k]
        pred = model.predict(s)
        add("value", F.mse_loss(pred.value / scale, batch.value[:, k] / scale, reduction="none").sum(-1).mean(), w)
        add("terminal", F.binary_cross_entropy_with_logits(pred.terminal, batch.terminal[:, k]), w)
        add("to_play", _masked_mean(F.cross_entropy(pred.to_play, batch.to_play[:, k], reduction="none"), live), w)
        legal = batch.legal[:, k]  # (B, C, A)
        used = legal[..., 0] != PAD
        logits = model.score(s, legal).masked_fill(~used, -1e9)
        ce = -(batch.policy[:, k] * logits.log_softmax(-1)).sum(-1)
        add("policy", _masked_mean(ce, live), w)
        nll = -model.action_log_prob(s, legal).sum(-1) / used.sum(-1).clamp(min=1)
        add("generator", _masked_mean(nll, live), w)
        if model.spec.view:
            held = batch.holding[:, k].to(s.dtype)  # (B, N, V)
            bce = F.binary_cross_entropy_with_logits(model.holdings(s), held, reduction="none").sum(-1)
            add("holding", _masked_mean((bce / held.sum(-1).clamp(min=1)).mean(-1), live), w)
        if k == K:
            break
        exists = batch.exists[:, k]
        after = model.afterstate(scale_gradient(s, 0.5), batch.actions[:, k])
        q, sigma = model.afterstate_predict(after)
        code, probs = model.chance_code(batch.chance_events[:, k])
        add("q", _masked_mean(F.mse_loss(q / scale, batch.value[:, k] / scale, reduction="none").sum(-1), exists), w)
        add("chance", _masked_mean(F.cross_entropy(sigma, code.detach().argmax(-1), reduction="none"), exists), w)
        add("commitment", _masked_mean(((code.detach() - probs) ** 2).sum(-1), exists), w)
        mean = (probs * exists.unsqueeze(-1)).sum(0) / exists.sum().clamp(min=1)
        add("diversity", math.log(probs.shape[-1]) + (mean * mean.clamp_min(1e-12).log()).sum(), w)
        s, r = model.dynamics(after, code)
        add("reward", _masked_mean(F.mse_loss(r / scale, batch.reward[:, k] / scale, reduction="none").sum(-1),
                                   exists), w)
    total = sum(getattr(weights, name) * value for name, value in terms.items())
    return total, {name: float(value.detach()) for name, value in terms.items()}
