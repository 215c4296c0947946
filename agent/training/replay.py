"""Replay: the most recent self-play episodes, sampled by decision, saved as JSON lines.

An episode is stored as its real history and search policies only; `trace` replays it through OpenSpiel
when it enters, so sampling hands out (trace, decision index) pairs for `make_batch` at no further cost.
Each episode keeps the iteration that played it: with `weighting="linear"` a decision of iteration t is
drawn with weight t, so the policy head learns the linearly weighted average of the search policies (the
average CFR+ keeps) rather than their plain average, in which the first, near-random iterations weigh as
much as the last.
"""
from __future__ import annotations

import collections
import itertools
import json
import pathlib
import random
from typing import Literal, get_args

from agent.episodes import Episode, Trace, trace
from agent.model.files import atomic_write
from games.base import GameAdapter

Weighting = Literal["uniform", "linear"]  # how the learner draws decisions (see the module docstring)
WEIGHTINGS = get_args(Weighting)


class Replay:
    """A FIFO of replayed episodes holding at most `capacity` decisions."""

    def __init__(self, adapter: GameAdapter, capacity: int, weighting: Weighting = "uniform"):
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1 decision, got {capacity}")
        if weighting not in WEIGHTINGS:
            raise ValueError(f"replay weighting must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}")
        self.adapter, self.capacity, self.weighting = adapter, capacity, weighting
        self.traces: collections.deque[Trace] = collections.deque()
        self.iterations: collections.deque[int] = collections.deque()  # the iteration of each trace
        self.decisions = 0
        self._cumulative: list[int] | None = None  # the draw weights summed up to each trace, kept until a change

    def add(self, episodes: list[Episode], iteration: int) -> None:
        """Replay and keep `episodes`, played at `iteration` (>= 1), dropping the oldest beyond capacity
        (never the newest one)."""
        if iteration < 1:
            raise ValueError(f"episodes are numbered by iteration from 1, got {iteration}")
        for ep in episodes:
            tr = trace(self.adapter, ep)
            if tr.decisions == 0:
                continue
            self.traces.append(tr)
            self.iterations.append(iteration)
            self.decisions += tr.decisions
        while len(self.traces) > 1 and self.decisions - self.traces[0].decisions >= self.capacity:
            self.decisions -= self.traces.popleft().decisions
            self.iterations.popleft()
        self._cumulative = None

    def sample(self, n: int, rng: random.Random) -> list[tuple[Trace, int]]:
        """`n` (trace, decision index) pairs: each decision equally likely, or in proportion to its iteration."""
        if not self.traces:
            raise ValueError("the replay buffer is empty")
        if self._cumulative is None:  # the draws are those of rng.choices(weights=...), which sums them so each time
            self._cumulative = list(itertools.accumulate(t.decisions * (it if self.weighting == "linear" else 1)
                                                         for t, it in zip(self.traces, self.iterations)))
        traces = rng.choices(self.traces, cum_weights=self._cumulative, k=n)
        return [(t, rng.randrange(t.decisions)) for t in traces]

    def save(self, path: pathlib.Path) -> None:
        """Write every episode as one JSON line (atomically)."""
        lines = [json.dumps(t.episode.to_json() | {"iteration": it}) for t, it in zip(self.traces, self.iterations)]
        atomic_write(path, lambda tmp: pathlib.Path(tmp).write_text("\n".join(lines) + ("\n" if lines else "")))

    def load(self, path: pathlib.Path) -> None:
        """Replace the contents with the episodes saved at `path`; ValueError names a bad line."""
        self.traces.clear()
        self.iterations.clear()
        self._cumulative = None
        self.decisions = 0
        for n, line in enumerate(path.read_text().splitlines(), 1):
            try:
                row = json.loads(line)
                episode = Episode.from_json(row)
                iteration = int(row.get("iteration", 1))  # files written before weighting existed: all alike
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise ValueError(f"{path}: line {n} is not a saved episode ({e})") from None
            self.add([episode], iteration)
