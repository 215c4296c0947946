"""The learned model as the search's expander: latents in, latents out, one batched network call per kind.

Decision-node handles are latent rows (L, W); afterstate handles are afterstate rows. Candidate actions below
the root are the distinct sequences of the generator's K draws (stochastic beam search, `agent.model.sampling`),
keyed by their token tuple. Their prior is the policy scorer's softmax over just those candidates: the
candidates are distinct and kept until they cover `coverage` of G's mass, so they stand for the legal set,
not for a sample with multiplicities; renormalising the scorer over them is then Sampled MuZero's
correction with beta = G and beta-hat = the indicator of the kept set.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

import torch

from agent.model import PAD, Model
from agent.model.sampling import sample_actions
from agent.search.tree import AfterInfo, StateInfo

MIN_CODE_PROB = 1e-3  # chance codes below this probability are left out of a chance node (renormalised)


def pad_actions(keys: Sequence[tuple[int, ...]], length: int, device) -> torch.Tensor:
    """Token tuples -> (len(keys), length) ids, right-padded with <pad>."""
    out = torch.full((len(keys), length), PAD, dtype=torch.long, device=device)
    for i, k in enumerate(keys):
        out[i, :len(k)] = torch.tensor(k, dtype=torch.long)
    return out


class LearnedExpander:
    """Expands search leaves with the networks: phi + psi for afterstates, g + f + G + scorer for states."""

    def __init__(self, model: Model, *, generator: torch.Generator | None = None):
        self.model = model
        self.generator = generator  # seeds the stochastic beam search (None: torch's global generator)
        self.seats = model.spec.num_players
        self.device = next(model.parameters()).device

    @torch.no_grad()
    def expand_afterstates(self, requests: Sequence[tuple[torch.Tensor, Hashable]]) -> list[AfterInfo]:
        """phi(s, a) then psi: Q per seat and the chance-code distribution of each new afterstate."""
        m = self.model
        s = torch.stack([h for h, _ in requests])  # (B, L, W)
        actions = pad_actions([k for _, k in requests], m.spec.max_action_len, self.device)
        after = m.afterstate(s, actions)
        q, logits = m.afterstate_predict(after)
        probs = logits.float().softmax(-1)
        keep = probs >= MIN_CODE_PROB
        probs = torch.where(keep, probs, 0.0)
        probs = probs / probs.sum(-1, keepdim=True)
        zero = [0.0] * self.seats
        out = []
        for i, (row, mask, qi) in enumerate(zip(probs.tolist(), keep.tolist(), q.tolist())):
            outcomes = [(c, p) for c, (p, k) in enumerate(zip(row, mask)) if k]
            outcomes.sort(key=lambda o: -o[1])
            out.append(AfterInfo(after[i], zero, qi, outcomes))
        return out

    @torch.no_grad()
    def expand_states(self, requests: Sequence[tuple[torch.Tensor, Hashable]]) -> list[StateInfo]:
        """g(as, code) then f, G and the scorer at each new latent."""
        m = self.model
        after = torch.stack([h for h, _ in requests])
        codes = m.one_hot_code(torch.tensor([c for _, c in requests], device=self.device))
        s, reward = m.dynamics(after, codes)
        return self.describe(s, reward)

    @torch.no_grad()
    def describe(self, s: torch.Tensor, reward: torch.Tensor | None = None,
                 keys: list[list[tuple[int, ...]]] | None = None,
                 to_play: list[int] | None = None) -> list[StateInfo]:
        """StateInfo for latents s (B, L, W). With `keys` (real legal actions, per row) the candidates are given:
        a row without any is terminal, the others are played by `to_play` (default seat 0, the root player);
        otherwise f and G decide."""
        m = self.model
        B = s.shape[0]
        pred = m.predict(s)
        value = pred.value.tolist()
        reward = [[0.0] * self.seats] * B if reward is None else reward.tolist()
        if keys is not None:
            terminal, to_play = [not k for k in keys], to_play or [0] * B
        else:
            terminal = (pred.terminal > 0).tolist()
            to_play = pred.to_play.argmax(-1).tolist()
            keys = [[] for _ in range(B)]
            live = [i for i in range(B) if not terminal[i]]
            if live:
                cands = sample_actions(m, s[live], generator=self.generator).rows()
                for i, row in zip(live, cands):
                    keys[i] = [tok for tok, _ in row]
                for i in live:
                    if not keys[i]:  # G proposed nothing that ends: nothing to search below
                        terminal[i] = True
        priors = self._priors(s, keys)
        out = []
        for i in range(B):
            if terminal[i]:
                out.append(StateInfo(s[i], reward[i], [0.0] * self.seats, -1, True))
            else:
                out.append(StateInfo(s[i], reward[i], value[i], to_play[i], False, keys[i], priors[i]))
        return out

    def _priors(self, s: torch.Tensor, keys: list[list[tuple[int, ...]]]) -> list[list[float]]:
        """Policy scorer's softmax over each row's candidates."""
        rows = [i for i, k in enumerate(keys) if k]
        out: list[list[float]] = [[] for _ in keys]
        if not rows:
            return out
        C = max(len(keys[i]) for i in rows)
        A = self.model.spec.max_action_len
        flat = [k for i in rows for k in keys[i] + [()] * (C - len(keys[i]))]
        actions = pad_actions(flat, A, self.device).view(len(rows), C, A)
        logits = self.model.score(s[rows], actions).float()
        logits = logits.masked_fill(actions[..., 0] == PAD, float("-inf"))
        for i, p in zip(rows, logits.softmax(-1).tolist()):
            out[i] = p[:len(keys[i])]
        return out
