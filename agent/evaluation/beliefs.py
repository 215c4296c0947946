"""Belief quality: how close the belief sampler b is to the real posterior over hidden cards.

Small games (kuhn_poker, leduc_poker) are enumerated: `exact_posteriors` walks
the whole tree under a play profile and gives, per information set (keyed by
the acting player's observation tokens), P(hidden tokens | observation) and the
probability of reaching it; `posterior_distance` scores b against that with the
total-variation distance, computed exactly from b's log-probabilities, and
`walk_distance` does the same for b constrained to possible worlds (games.belief:
b renormalised over the fills a consistent history admits). Larger
games cannot be enumerated: `consistency_share` samples hidden remainders from b
at real states and counts those the real rules allow (`games.worlds`), and `possible_share` counts the
agent's own root worlds (b through the belief walk) that the player cannot tell from the real state.
"""
from __future__ import annotations

import collections
import math
from collections.abc import Callable

import pyspiel
import torch

from agent.model import PAD, Model
from agent.model.sampling import sample_hidden
from agent.model.tokens import pad_rows
from games.belief import Walk
from games.worlds import is_consistent
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

Policy = Callable[[pyspiel.State], dict[int, float]]  # the player to move's action probabilities at a state


def exact_posteriors(tok: Tokenizer, policy: Policy | None = None
                     ) -> tuple[dict[tuple, dict[tuple, float]], dict[tuple, float]]:
    """(posterior {observation: {hidden: P}}, reach {observation: P(reached)}) at every decision under `policy`."""
    weight: dict = collections.defaultdict(lambda: collections.defaultdict(float))

    def walk(state: pyspiel.State, reach: float) -> None:
        if state.is_terminal():
            return
        if state.is_chance_node():
            moves = state.chance_outcomes()
        else:
            p = state.current_player()
            weight[tuple(tok.encode_observation(state, p))][tuple(tok.encode_hidden(state, p))] += reach
            if policy is None:
                legal = state.legal_actions()
                moves = [(a, 1.0 / len(legal)) for a in legal]
            else:
                moves = list(policy(state).items())
                total = sum(q for _, q in moves)
                if abs(total - 1.0) > 1e-6:
                    raise ValueError(f"the policy's probabilities at {state.history()} sum to {total}, not 1")
        for a, q in moves:
            if q > 0:
                walk(state.child(a), reach * q)

    walk(tok.adapter.new_initial_state(), 1.0)
    reach = {obs: sum(d.values()) for obs, d in weight.items()}
    posterior = {obs: {h: w / reach[obs] for h, w in d.items()} for obs, d in weight.items()}
    return posterior, reach


def _device(model) -> torch.device:
    params = getattr(model, "parameters", None)
    return next(params()).device if params is not None else torch.device("cpu")


@torch.no_grad()
def posterior_distance(model: Model, tok: Tokenizer, posteriors: dict[tuple, dict[tuple, float]],
                       reach: dict[tuple, float], *, batch_size: int = 1024) -> dict[str, float]:
    """Total-variation distance of b to each exact posterior: reach-weighted mean, max, number of infosets."""
    hidden = sorted({h for d in posteriors.values() for h in d})  # every hidden remainder the game has
    pairs = [(obs, h) for obs in posteriors for h in hidden]
    probs: list[float] = []
    dev = _device(model)
    for i in range(0, len(pairs), batch_size):
        rows = [list(obs) + [tok.sep] + list(h) + [tok.eos] for obs, h in pairs[i:i + batch_size]]
        tokens = pad_rows(rows, device=dev)  # (B, T)
        sep = torch.tensor([len(obs) for obs, _ in pairs[i:i + batch_size]], device=dev)  # (B,)
        lp, _ = model.belief_log_prob(tokens, sep)
        probs += lp.float().exp().tolist()
    tv = {}
    for j, (obs, want) in enumerate(posteriors.items()):
        got = probs[j * len(hidden):(j + 1) * len(hidden)]
        outside = max(0.0, 1.0 - sum(got))  # b's mass on sequences that are no hidden remainder of the game
        tv[obs] = 0.5 * (sum(abs(g - want.get(h, 0.0)) for g, h in zip(got, hidden)) + outside)
    total = sum(reach[obs] for obs in tv)
    return {"tv_mean": sum(reach[obs] * d for obs, d in tv.items()) / total if tv else 0.0,
            "tv_max": max(tv.values(), default=0.0), "infosets": len(tv)}


def representatives(tok: Tokenizer) -> dict[tuple, pyspiel.State]:
    """One state per information set of every decision (keyed as `exact_posteriors` keys them)."""
    out: dict[tuple, pyspiel.State] = {}

    def visit(state: pyspiel.State) -> None:
        if state.is_terminal():
            return
        if not state.is_chance_node():
            out.setdefault(tuple(tok.encode_observation(state, state.current_player())), state)
        for a in ([o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()):
            visit(state.child(a))

    visit(tok.adapter.new_initial_state())
    return out


def walk_sequences(walk: Walk) -> list[tuple[list[str], list[tuple[int, list[str]]]]]:
    """Every hidden word sequence `walk` allows, with its choice points: (position, the words allowed there)."""
    out = []

    def go(w: Walk, choices: list) -> None:
        w.take_forced()
        if w.done:
            out.append((list(w.words), choices))
            return
        allowed = w.allowed()
        for word in allowed:
            branch = w.copy()
            branch.feed(word)
            go(branch, choices + [(len(w.words), allowed)])

    go(walk, [])
    return out


@torch.no_grad()
def walk_distance(model: Model, tok: Tokenizer, posteriors: dict[tuple, dict[tuple, float]],
                  reach: dict[tuple, float], states: dict[tuple, pyspiel.State]) -> dict[str, float]:
    """`posterior_distance` for b constrained to possible worlds: each hidden remainder's probability is the
    product, over the walk's choice points, of b's probability of the chosen word renormalised over the words
    allowed there (what `sample_hidden_walks` draws from)."""
    ids, dev, tv = vocab.ids(), _device(model), {}
    for obs, want in posteriors.items():
        state = states[obs]
        sequences = walk_sequences(Walk(tok.adapter, state, state.current_player()))
        rows = [list(obs) + [tok.sep] + [ids[w] for w in words] for words, _ in sequences]
        tokens = pad_rows(rows, device=dev)
        logits = model.belief(input_ids=tokens, attention_mask=(tokens != PAD).long()).logits.float()
        got = {}
        for r, (words, choices) in enumerate(sequences):
            lp = 0.0
            for k, allowed in choices:
                row = logits[r, len(obs) + k, [ids[w] for w in allowed]].log_softmax(-1)
                lp += float(row[allowed.index(words[k])])
            got[tuple(ids[w] for w in words)] = math.exp(lp)
        support = set(got) | set(want)
        tv[obs] = 0.5 * sum(abs(got.get(h, 0.0) - want.get(h, 0.0)) for h in support)
    total = sum(reach[obs] for obs in tv)
    return {"tv_mean": sum(reach[obs] * d for obs, d in tv.items()) / total if tv else 0.0,
            "tv_max": max(tv.values(), default=0.0), "infosets": len(tv)}


def consistency_share(model: Model, tok: Tokenizer, states: list[pyspiel.State], samples: int = 8,
                      generator: torch.Generator | None = None, *, states_per_batch: int = 64,
                      max_len: int | None = None) -> dict[str, float]:
    """Share of b's hidden remainders, `samples` per decision state for the player to move, the real rules allow.

    `max_len` caps the hidden tokens drawn (default: up to the model's `max_tokens`); a draw cut short counts
    as whatever its first `max_len` tokens are, which is inconsistent unless the real remainder is that short.
    """
    for state in states:
        if state.is_terminal() or state.is_chance_node() or state.current_player() < 0:
            raise ValueError(f"consistency_share needs decision states; {state.history()} has no player to move")
    consistent = drawn = 0
    for i in range(0, len(states), states_per_batch):
        chunk = states[i:i + states_per_batch]
        obs = [tok.encode_observation(s, s.current_player()) for s in chunk]
        for state, draws in zip(chunk, sample_hidden(model, obs, samples, max_len=max_len, generator=generator)):
            player = state.current_player()
            consistent += sum(is_consistent(tok.adapter, state, player, tok.describe(h)) for h in draws)
            drawn += len(draws)
    return {"share": consistent / max(drawn, 1), "drawn": drawn, "states": len(states)}


def _replays(adapter, world: pyspiel.State) -> bool:
    """Whether `world`'s history is legal from the initial state (chance outcomes included)."""
    state = adapter.new_initial_state()
    for action in world.history():
        legal = [o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()
        if state.is_terminal() or action not in legal:
            return False
        state.apply_action(action)
    return True


def _information(state: pyspiel.State, player: int):
    """OpenSpiel's information-state string for `player` where the game has one, else the observation string
    (else tensor)."""
    kind = state.get_game().get_type()
    if kind.provides_information_state_string:
        return state.information_state_string(player)
    if kind.provides_observation_string:
        return state.observation_string(player)
    return tuple(state.observation_tensor(player))


def possible_share(sample_worlds: Callable[[pyspiel.State, int], list[pyspiel.State]], tok: Tokenizer,
                   states: list[pyspiel.State], worlds: int = 8) -> dict[str, float]:
    """Share of the worlds `sample_worlds(state, n)` (an agent's: `Agent.sample_worlds`) draws at real decision
    states that are possible: each replays legally from the initial state, and the player to move has in it
    OpenSpiel's information state (else observation) and the observation tokens they have in the real state."""
    possible = drawn = 0
    for state in states:
        player = state.current_player()
        key, obs = _information(state, player), tok.encode_observation(state, player)
        for world in sample_worlds(state, worlds):
            drawn += 1
            possible += (_replays(tok.adapter, world) and _information(world, player) == key
                         and tok.encode_observation(world, player) == obs)
    return {"share": possible / max(drawn, 1), "drawn": drawn, "states": len(states)}
