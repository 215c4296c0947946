"""Real games replayed: episodes (a history and its search policies), their decision states, full-state tokens.

An `Episode` is what self-play stores: the real actions and, at each decision, the search's policy. `trace`
replays it through OpenSpiel into the states and cumulative rewards that unroll targets (`agent.model.targets`)
and evaluations read.
"""
from __future__ import annotations

import dataclasses
import random

import numpy as np
import pyspiel

from games.base import GameAdapter
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

PAD = vocab.ids()[vocab.PAD]


@dataclasses.dataclass
class Episode:
    """One finished real game: its whole history (chance included) and the search's policy at each decision."""

    history: list[int]
    policies: list[dict[int, float]] | None = None  # per decision: action -> probability; None = the action taken

    def to_json(self) -> dict:
        """A JSON-ready dict (policies as [action, probability] pairs: JSON keys are strings)."""
        return {"history": self.history, "policies": None if self.policies is None else
                [[[a, p] for a, p in pol.items()] for pol in self.policies]}

    @classmethod
    def from_json(cls, row: dict) -> Episode:
        """The episode `to_json` wrote; KeyError, TypeError or ValueError if `row` is not one."""
        pols = row["policies"]
        return cls([int(a) for a in row["history"]],
                   None if pols is None else [{int(a): float(p) for a, p in pol} for pol in pols])


@dataclasses.dataclass
class Trace:
    """An episode replayed: the state at every decision, then the terminal state, with accumulated rewards."""

    episode: Episode
    states: list[pyspiel.State]  # decision states in order, then the terminal state
    actions: list[int]  # the action taken at each decision
    cumulative: list[list[float]]  # per entry of `states`: rewards each player has received so far
    _tokens: tuple | None = dataclasses.field(default=None, repr=False, compare=False)  # (tokenizer, TraceTokens)

    @property
    def decisions(self) -> int:
        """Number of decisions in the episode."""
        return len(self.actions)

    def tokens(self, tok: Tokenizer, seats: bool = False, outcomes: bool = False) -> TraceTokens:
        """What the learner reads of this trace's decisions, made on the first call and kept (per tokenizer; with
        `seats`, each decision's full state from every seat too; with `outcomes`, what each action caused): the
        learner reads a replayed decision again and again, and a trace's decisions tokenized in order cost one pass
        over its history, where one at a time from a stream cache the replay has long since evicted re-renders
        each whole history."""
        kept = self._tokens
        if (kept is None or kept[0] is not tok or (seats and kept[1].seats is None)
                or (outcomes and kept[1].outcomes is None)):
            self._tokens = (tok, TraceTokens.of(tok, self, seats, outcomes))
        return self._tokens[1]


@dataclasses.dataclass
class TraceTokens:
    """A trace's decisions as the learner reads them (`agent.model.targets.make_batch`), as id arrays (uint16
    where the vocabulary allows)."""

    full: list[np.ndarray]  # per decision: the full state from the seat to act (`full_tokens`)
    holdings: list[list[np.ndarray]]  # per decision, per seat (absolute): what it holds in the view; [] without one
    table: list[list[np.ndarray]]  # per decision, per table word: what the view's table shows (`Tokenizer.table`)
    facts: list[list[list[np.ndarray]]]  # per decision, per seat (absolute), per seat word: `Tokenizer.seat_facts`
    events: list[list[np.ndarray]]  # per decision, per seat (absolute): what the chance steps after the action add
    # to that seat's full state (`events_between`)
    outcomes: list[list[np.ndarray]] | None = None  # the same, led by what the action caused (`outcome_tokens`),
    # where asked for (a model that reads outcomes, `ModelConfig.chance_read`)
    seats: list[list[np.ndarray]] | None = None  # per decision, per seat (absolute): the full state from that seat,
    # where asked for (the consistency term's targets: unrolled steps seen from the root player's seat)

    @classmethod
    def of(cls, tok: Tokenizer, tr: Trace, seats: bool = False, outcomes: bool = False) -> TraceTokens:
        """`tr`'s decisions tokenized in order (each stream lookup extends the one before); with `seats`, each
        one's full state from every seat as well; with `outcomes`, what each action caused."""
        ad = tok.adapter
        dtype = np.uint16 if tok.vocab_size <= 1 << 16 else np.int64  # a quarter of int64's memory
        out = cls([], [], [], [], [], [] if outcomes else None, [] if seats else None)
        for i, state in enumerate(tr.states[:-1]):
            out.full.append(np.array(full_tokens(tok, state, state.current_player()), dtype=dtype))
            if seats:
                out.seats.append([out.full[-1] if p == state.current_player() else
                                  np.array(full_tokens(tok, state, p), dtype=dtype) for p in range(ad.num_players)])
            out.holdings.append([np.array(ids, dtype=dtype) for ids in tok.holdings(state, 0)] if ad.has_view else [])
            out.table.append([np.array(ids, dtype=dtype) for ids in tok.table(state)] if ad.table_words else [])
            out.facts.append([[np.array(ids, dtype=dtype) for ids in seat] for seat in tok.seat_facts(state, 0)]
                             if ad.seat_words else [])
            after = state.child(tr.actions[i])
            out.events.append([np.array(events_between(tok, after, tr.states[i + 1], p), dtype=dtype)
                               for p in range(ad.num_players)])
            if outcomes:
                out.outcomes.append([np.array(outcome_tokens(tok, state, tr.actions[i], tr.states[i + 1], p),
                                              dtype=dtype) for p in range(ad.num_players)])
        return out


def play_random(adapter: GameAdapter, rng: random.Random, max_steps: int = 10_000) -> Episode:
    """An episode of uniformly random play by every seat (chance by its real probabilities)."""
    state = adapter.new_initial_state()
    for _ in range(max_steps):
        if state.is_terminal():
            return Episode(history=list(state.history()))
        if state.is_chance_node():
            outcomes, probs = zip(*state.chance_outcomes())
            state.apply_action(rng.choices(outcomes, probs)[0])
        else:
            state.apply_action(rng.choice(state.legal_actions()))
    raise RuntimeError(f"{adapter.name} did not end within {max_steps} steps of random play")


def trace(adapter: GameAdapter, episode: Episode) -> Trace:
    """Replay `episode` through OpenSpiel; ValueError if it is not a finished legal game."""
    state = adapter.new_initial_state()
    cum = [0.0] * adapter.num_players
    states, actions, cumulative = [], [], []
    for action in episode.history:
        if state.is_terminal():
            raise ValueError("episode history continues past the end of the game")
        if not state.is_chance_node():
            states.append(state.clone())
            actions.append(action)
            cumulative.append(list(cum))
        if action not in state.legal_actions():
            raise ValueError(f"action {action} is not legal at step {len(state.history())} of the episode")
        state.apply_action(action)
        cum = [c + r for c, r in zip(cum, state.rewards())]
    if not state.is_terminal():
        raise ValueError("episode history ends before the game does")
    if episode.policies is not None and len(episode.policies) != len(actions):
        raise ValueError(f"episode has {len(episode.policies)} policies for {len(actions)} decisions")
    return Trace(episode, states + [state], actions, cumulative + [list(cum)])


def outcome_tokens(tok: Tokenizer, state: pyspiel.State, action: int, nxt: pyspiel.State, player: int) -> list[int]:
    """What the decision `action` in `state` caused (`Tokenizer.outcome`: a trick's taker ...) and the chance steps
    after it added before `nxt`, in `player`'s full state: observation `<sep>` hidden `<eos>`. The chance encoder
    reads these where the model says so (`ModelConfig.chance_read`): then the search draws who takes a trick as
    it draws a card, and the dynamics is told it, where otherwise it must work it out from the cards played."""
    caused_obs, caused_hidden = tok.outcome(state, action, player)
    obs, hidden = tok.new_events(state.child(action), nxt, player)
    return caused_obs + obs + [tok.sep] + caused_hidden + hidden + [tok.eos]


def full_tokens(tok: Tokenizer, state: pyspiel.State, player: int) -> list[int]:
    """Observation `<sep>` hidden `<eos>`: what h, b and e read."""
    return tok.encode_full(state, player) + [tok.eos]


def events_between(tok: Tokenizer, before: pyspiel.State, after: pyspiel.State, player: int) -> list[int]:
    """What `after` adds to `before` in `player`'s full state: new observation `<sep>` new hidden `<eos>`.

    Token streams only grow, so these tokens and the earlier state's determine the later state's; the chance
    encoder reads them instead of the whole later state (shorter, and what chance changed is all there).
    """
    obs, hidden = tok.new_events(before, after, player)
    return obs + [tok.sep] + hidden + [tok.eos]
