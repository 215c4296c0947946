"""K-step unroll targets from real games, as padded tensor batches.

A sample is (episode, decision index t). Unroll step k (0..K) is the episode's
decision t+k, seen from the root player's seat (the player to act at t), so
every per-player target is in seats relative to that player. Between decision
t+k and t+k+1 lie the action taken and any chance events; the chance encoder
reads what happened after the action (`chance_events`: the tokens the chance
steps added to the root seat's full state, empty for a deterministic step; with
`outcomes`, led by what the action itself caused, such as a trick's taker).
Steps past the end of the game are absorbing: terminal, value 0, no action,
no loss on policy, generator or to-play.

Value targets are Monte Carlo returns-to-go: card-game episodes are short and
undiscounted, so no bootstrapping (and no target network) is needed.
"""
from __future__ import annotations

import dataclasses
import random

import numpy as np
import pyspiel
import torch

from agent.episodes import Trace
from agent.model.tokens import pad_rows
from tokenizer.tokenizer import Tokenizer


@dataclasses.dataclass
class Batch:
    """Padded unroll targets. B samples, K unroll steps, C legal actions, A action tokens, T tokens, N seats."""

    root: torch.Tensor  # (B, T) root full state: observation <sep> hidden <eos>
    root_sep: torch.Tensor  # (B,) index of <sep> in `root`
    actions: torch.Tensor  # (B, K, A) action taken at step k; <pad> past the end
    chance_events: torch.Tensor  # (B, K, T) tokens added to the root seat's full state after the action at step k
    # (after its own event, where the batch was made with `outcomes`)
    legal: torch.Tensor  # (B, K+1, C, A) legal actions at step k (at most `max_legal`); <pad> rows unused
    policy: torch.Tensor  # (B, K+1, C) target distribution over `legal`
    value: torch.Tensor  # (B, K+1, N) return-to-go per relative seat
    reward: torch.Tensor  # (B, K, N) rewards between decision k and k+1 per relative seat
    to_play: torch.Tensor  # (B, K+1) relative seat to act
    live: torch.Tensor  # (B, K+1) bool: step k is a real decision
    terminal: torch.Tensor  # (B, K+1) float: 1 where step k is at or past the end
    holding: torch.Tensor  # (B, K+1, N, V) bool: ids each relative seat holds in the view at step k; V=0 without one
    table: torch.Tensor  # (B, K+1, R, V) bool: ids the view's table shows per table word at step k; V=0 without one
    facts: torch.Tensor  # (B, K+1, N * S, V) bool: ids of each relative seat's view event per seat word at step k
    # (seat by seat, S words each); V=0 without seat words
    next_roots: torch.Tensor  # (B, K, T) full state of step k + 1 from the root player's seat (the consistency term's
    # targets); all <pad> at and past the end; T = 0 where not asked for

    @property
    def exists(self) -> torch.Tensor:
        """(B, K) bool: an action was taken at step k (afterstate, chance and reward targets exist)."""
        return self.live[:, :-1]

    def to(self, device) -> Batch:
        """The batch on `device`."""
        return Batch(**{f.name: getattr(self, f.name).to(device) for f in dataclasses.fields(self)})


def make_batch(tok: Tokenizer, samples: list[tuple[Trace, int]], unroll: int, max_legal: int,
               rng: random.Random, next_roots: bool = False, outcomes: bool = False) -> Batch:
    """Unroll targets for (trace, decision index) samples; legal sets over `max_legal` keep the policy's support
    and a uniform random rest; with `next_roots`, each unrolled step's real full state too; with `outcomes`, the
    chance events are led by what each action caused (`ModelConfig.chance_read`). (Filled as numpy arrays and
    converted once, much faster than writing torch tensors element by element: results.md.)"""
    ad = tok.adapter
    N, A, K = ad.num_players, tok.max_action_len, unroll
    B = len(samples)
    actions = np.zeros((B, K, A), dtype=np.int64)
    legal = np.zeros((B, K + 1, max_legal, A), dtype=np.int64)
    policy = np.zeros((B, K + 1, max_legal), dtype=np.float32)
    value = np.zeros((B, K + 1, N), dtype=np.float32)
    reward = np.zeros((B, K, N), dtype=np.float32)
    to_play = np.zeros((B, K + 1), dtype=np.int64)
    live = np.zeros((B, K + 1), dtype=bool)
    terminal = np.zeros((B, K + 1), dtype=np.float32)
    holding = np.zeros((B, K + 1, N, tok.vocab_size if ad.has_view else 0), dtype=bool)
    R = len(ad.table_words)
    table = np.zeros((B, K + 1, R, tok.vocab_size if R else 0), dtype=bool)
    S = len(ad.seat_words)
    facts = np.zeros((B, K + 1, N * S, tok.vocab_size if S else 0), dtype=bool)
    roots, seps, nexts, later = [], [], [], []
    for b, (tr, t) in enumerate(samples):
        kept = tr.tokens(tok, seats=next_roots, outcomes=outcomes)
        root_player = tr.states[t].current_player()
        seat = [(root_player + j) % N for j in range(N)]  # relative seat j -> absolute player
        full = kept.full[t]
        roots.append(full)
        seps.append(int(np.flatnonzero(full == tok.sep)[0]))
        final = tr.cumulative[-1]
        for k in range(K + 1):
            i = t + k
            if k and next_roots:
                later.append(kept.seats[i][root_player] if i < tr.decisions else [])
            if i >= tr.decisions:  # terminal or past it: absorbing
                terminal[b, k] = 1.0
                if k < K:
                    nexts.append([])
                continue
            state = tr.states[i]
            live[b, k] = True
            to_play[b, k] = (state.current_player() - root_player) % N
            value[b, k] = [final[p] - tr.cumulative[i][p] for p in seat]
            for j, p in enumerate(seat if ad.has_view else ()):
                holding[b, k, j, kept.holdings[i][p]] = True
            for j, ids in enumerate(kept.table[i]):
                table[b, k, j, ids] = True
            for j, p in enumerate(seat if S else ()):
                for w, ids in enumerate(kept.facts[i][p]):
                    facts[b, k, j * S + w, ids] = True
            target = _policy(tr, i)
            for c, (a, prob) in enumerate(_legal_subset(state, target, max_legal, rng)):
                ids = tok.encode_action(state, a)
                legal[b, k, c, :len(ids)] = ids
                policy[b, k, c] = prob
            if k < K:
                ids = tok.encode_action(state, tr.actions[i])
                actions[b, k, :len(ids)] = ids
                reward[b, k] = [tr.cumulative[i + 1][p] - tr.cumulative[i][p] for p in seat]
                nexts.append((kept.outcomes if outcomes else kept.events)[i][root_player])
    chance_events = pad_rows(nexts).view(B, K, -1) if K else torch.zeros(B, 0, 1, dtype=torch.long)
    later_roots = pad_rows(later).view(B, K, -1) if K and next_roots else torch.zeros(B, K, 0, dtype=torch.long)
    t = torch.from_numpy
    return Batch(root=pad_rows(roots), root_sep=torch.tensor(seps), actions=t(actions), chance_events=chance_events,
                 legal=t(legal), policy=t(policy), value=t(value), reward=t(reward), to_play=t(to_play),
                 live=t(live), terminal=t(terminal), holding=t(holding), table=t(table), facts=t(facts),
                 next_roots=later_roots)


def _policy(tr: Trace, i: int) -> dict[int, float]:
    if tr.episode.policies is None:
        return {tr.actions[i]: 1.0}
    return tr.episode.policies[i]


def _legal_subset(state: pyspiel.State, target: dict[int, float], max_legal: int,
                  rng: random.Random) -> list[tuple[int, float]]:
    """At most `max_legal` legal actions with their target probability: the target's support first."""
    legal = state.legal_actions()
    if len(legal) <= max_legal:
        chosen = legal
    else:
        support = [a for a in legal if target.get(a, 0.0) > 0][:max_legal]
        rest = [a for a in legal if target.get(a, 0.0) <= 0]
        chosen = support + rng.sample(rest, max_legal - len(support))
    mass = sum(target.get(a, 0.0) for a in chosen) or 1.0
    return [(a, target.get(a, 0.0) / mass) for a in chosen]
