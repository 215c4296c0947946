"""Replay: the most recent self-play episodes, sampled uniformly by decision, saved as JSON lines.

An episode is stored as its real history and search policies only; `trace` replays it through OpenSpiel
when it enters, so sampling hands out (trace, decision index) pairs for `make_batch` at no further cost.
"""
from __future__ import annotations

import collections
import json
import pathlib
import random

from agent.batch import Episode, Trace, trace
from agent.checkpoint import atomic_write
from games.base import GameAdapter


class Replay:
    """A FIFO of replayed episodes holding at most `capacity` decisions."""

    def __init__(self, adapter: GameAdapter, capacity: int):
        if capacity < 1:
            raise ValueError(f"replay capacity must be >= 1 decision, got {capacity}")
        self.adapter, self.capacity = adapter, capacity
        self.traces: collections.deque[Trace] = collections.deque()
        self.decisions = 0

    def add(self, episodes: list[Episode]) -> None:
        """Replay and keep `episodes`, dropping the oldest beyond capacity (never the newest one)."""
        for ep in episodes:
            tr = trace(self.adapter, ep)
            if tr.decisions == 0:
                continue
            self.traces.append(tr)
            self.decisions += tr.decisions
        while len(self.traces) > 1 and self.decisions - self.traces[0].decisions >= self.capacity:
            self.decisions -= self.traces.popleft().decisions

    def sample(self, n: int, rng: random.Random) -> list[tuple[Trace, int]]:
        """`n` (trace, decision index) pairs, each decision equally likely."""
        if not self.traces:
            raise ValueError("the replay buffer is empty")
        traces = rng.choices(self.traces, weights=[t.decisions for t in self.traces], k=n)
        return [(t, rng.randrange(t.decisions)) for t in traces]

    def save(self, path: pathlib.Path) -> None:
        """Write every episode as one JSON line (atomically)."""
        lines = [json.dumps({"history": t.episode.history,
                             "policies": None if t.episode.policies is None else
                             [[[a, p] for a, p in pol.items()] for pol in t.episode.policies]})
                 for t in self.traces]
        atomic_write(path, lambda tmp: pathlib.Path(tmp).write_text("\n".join(lines) + ("\n" if lines else "")))

    def load(self, path: pathlib.Path) -> None:
        """Replace the contents with the episodes saved at `path`; ValueError names a bad line."""
        self.traces.clear()
        self.decisions = 0
        episodes = []
        for n, line in enumerate(path.read_text().splitlines(), 1):
            try:
                row = json.loads(line)
                pols = row["policies"]
                episodes.append(Episode(list(row["history"]),
                                        None if pols is None else [{int(a): float(p) for a, p in pol} for pol in pols]))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
                raise ValueError(f"{path}: line {n} is not a saved episode ({e})") from None
        self.add(episodes)
