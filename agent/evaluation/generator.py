"""Generated-action quality with the real rules as judge, at the root (k = 0) and at unrolled depths k > 0.

For a state with real legal set L where G proposes distinct candidates C out
of K draws: legal precision = |C in L| / |C|, legal-set recall =
|C in L| / min(K, |L|), duplicate rate = share of draws repeating an earlier
one. Figures are pooled over states (sums of numerators over sums of
denominators), so a state with more candidates weighs more in precision.

At depths k > 0 precision is also given split by who acts: "in turn" where the seat to act is the one after
the seat that acted at k - 1, "out of turn" elsewhere (a trick's winner other than the next seat leading, a new
round), with the state count and the model's to-play accuracy (its most likely seat against the real one) for
each part. What G should propose depends on whose hand it is, and the dynamics has to learn who acts next.
In games with a view, the share of all candidates that name a card another seat holds says how much of what is
illegal is the wrong hand (the rest of it: a card the seat to act holds but may not play, or no card at all).
"""
from __future__ import annotations

import collections
import dataclasses

import pyspiel
import torch

from agent.episodes import Trace
from agent.model import Model
from agent.model.sampling import sample_actions
from agent.model.targets import Batch
from tokenizer.tokenizer import Tokenizer


def judge(tok: Tokenizer, state: pyspiel.State, candidates: list[tuple[int, ...]]) -> list[int | None]:
    """The legal action each candidate token sequence names in `state`, or None if it names none."""
    legal = set(state.legal_actions())
    out = []
    for tokens in candidates:
        try:
            action = tok.decode_action(tokens, state)
        except ValueError:
            action = None
        out.append(action if action in legal else None)
    return out


@dataclasses.dataclass
class Tally:
    """Pooled counts behind precision, recall and duplicate rate at one depth (and how many of its states the
    model's to-play head named the seat to act of, and how many candidates named another seat's card)."""

    states: int = 0
    candidates: int = 0
    legal_candidates: int = 0
    recall_denominator: int = 0
    draws: int = 0
    duplicates: int = 0
    to_play_right: int = 0
    other_seats: int = 0  # illegal candidates naming a card another seat holds (games with a view)

    @classmethod
    def pooled(cls, parts) -> Tally:
        """One tally of several: their counts added."""
        return cls(*(sum(getattr(p, f.name) for p in parts) for f in dataclasses.fields(cls)))

    def add(self, tok: Tokenizer, state: pyspiel.State, candidates: list[tuple[int, ...]], k: int,
            draws: int | None = None) -> list[int | None]:
        """Count one state's candidates (from `draws` draws, default len(candidates)); returns `judge`'s verdicts."""
        verdicts = judge(tok, state, candidates)
        if tok.adapter.has_view and None in verdicts:
            own, *others = tok.holdings(state, state.current_player())
            elsewhere = set().union(*others) - set(own)
            self.other_seats += sum(1 for c, v in zip(candidates, verdicts) if v is None and elsewhere & set(c))
        distinct = {a for a in verdicts if a is not None}
        self.states += 1
        self.candidates += len(candidates)
        self.legal_candidates += len(distinct)
        self.recall_denominator += min(k, len(state.legal_actions()))
        draws = len(candidates) if draws is None else draws
        self.draws += draws
        self.duplicates += draws - len(set(candidates))
        return verdicts

    def summary(self) -> dict[str, float]:
        """precision, recall, duplicate_rate, other_seats (the share of candidates naming a card another seat
        holds), mean candidates per state, states."""
        return {"precision": self.legal_candidates / max(self.candidates, 1),
                "recall": self.legal_candidates / max(self.recall_denominator, 1),
                "duplicate_rate": self.duplicates / max(self.draws, 1),
                "other_seats": self.other_seats / max(self.candidates, 1),
                "candidates": self.candidates / max(self.states, 1), "states": self.states}


@torch.no_grad()
def unroll_latents(model: Model, batch: Batch, codes: str = "encoder",
                   generator: torch.Generator | None = None) -> list[torch.Tensor]:
    """Latents s_0..s_K: h at the root, then phi and g with the real actions and chance codes from the encoder
    reading what really happened (`codes="encoder"`, an upper bound on quality inside the search), or drawn
    from psi's sigma as the search draws them (`"sampled"`)."""
    if codes not in ("encoder", "sampled"):
        raise ValueError(f"codes must be 'encoder' or 'sampled', got {codes!r}")
    s = model.represent(batch.root)
    out = [s]
    for k in range(batch.actions.shape[1]):
        after = model.afterstate(s, batch.actions[:, k])
        if codes == "encoder":
            code, _ = model.chance_code(batch.chance_events[:, k])
        else:
            probs = model.afterstate_predict(after)[1].softmax(-1)
            code = model.one_hot_code(torch.multinomial(probs, 1, generator=generator).squeeze(-1))
        s, _ = model.dynamics(after, code)
        out.append(s)
    return out


@torch.no_grad()
def generator_quality(model: Model, tok: Tokenizer, samples: list[tuple[Trace, int]], batch: Batch,
                      k: int | None = None, generator: torch.Generator | None = None,
                      codes: str = "encoder") -> dict[int, dict[str, float]]:
    """{depth: summary} of G's candidates at every unroll depth of `batch` (built from `samples`) with a live
    state, judged by the real state's legal set (`codes`: see `unroll_latents`); at depths above 0 the summary
    also has `states_T`, `precision_T` and `to_play_accuracy_T` for T in `in_turn` and `out_of_turn`."""
    k = k or model.cfg.candidates
    tallies: dict[tuple[int, str], Tally] = collections.defaultdict(Tally)  # by depth and who acts
    for depth, s in enumerate(unroll_latents(model, batch, codes, generator)):
        rows = batch.live[:, depth].nonzero(as_tuple=True)[0]
        if len(rows) == 0:
            continue
        cands = sample_actions(model, s[rows], k, generator=generator).rows()
        right = (model.predict(s[rows]).to_play.argmax(-1) == batch.to_play[rows, depth]).tolist()
        for r, cand, named in zip(rows.tolist(), cands, right):
            trace, t = samples[r]
            state = trace.states[t + depth]
            turn = "root" if depth == 0 else "in_turn" if in_turn(trace.states[t + depth - 1], state) else "out_of_turn"
            tallies[depth, turn].add(tok, state, [c for c, _ in cand], k)
            tallies[depth, turn].to_play_right += named
    out = {}
    for d in sorted({d for d, _ in tallies}):
        out[d] = Tally.pooled([t for (depth, _), t in tallies.items() if depth == d]).summary()
        for turn in ("in_turn", "out_of_turn") if d else ():
            part = tallies.get((d, turn), Tally())
            out[d] |= {f"states_{turn}": part.states, f"precision_{turn}": part.summary()["precision"],
                       f"to_play_accuracy_{turn}": part.to_play_right / max(part.states, 1)}
    return out


def in_turn(before: pyspiel.State, after: pyspiel.State) -> bool:
    """Whether the seat to act at decision `after` is the one after the seat that acted at decision `before`."""
    return after.current_player() == (before.current_player() + 1) % before.get_game().num_players()
