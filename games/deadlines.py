"""Where the unseen cards can be when the places come one after another in time: each card may be in a contiguous
run of them, so whether every card can be placed is settled greedily, earliest deadline first.

Games that draw (crazy_eights, gin_rummy) have many places: an opponent's deal, then each of their draws, then
the stock. A card the opponent plays at some time was dealt to them or drawn before then: a run of places from
the deal to their last draw before that time; a card nobody has seen may be anywhere from the deal on. Hall's
condition over every set of places (games.allocation) would cost 2^P; with runs, sweeping the places in order and
filling each with the waiting cards whose run ends first is exact (a matching in a convex bipartite graph) and
costs O(cards log cards).

It answers the belief walk (games.belief) as games.allocation.Allocation does: `restrict(card, places)` gives the
allocation with the card kept to those places, or None where nothing could then be placed.

A `Limit` adds one more rule: the cards it values that end in some places total at most a bound (gin_rummy's
knocker keeps at most the knock card in unmelded points). It is exact where the cards it values are alike in
where they may go, apart from those already kept to its places or out of them: as in a walk that fixes each
card to one place as it goes.
"""
from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Hashable, Iterable


@dataclasses.dataclass(frozen=True)
class Limit:
    """The cards of `values` placed in `places` total at most `bound`."""

    values: dict
    places: frozenset
    bound: int


class Deadlines:
    """Places in time order with capacities; each card may be in places lo..hi (indices into `places`)."""

    def __init__(self, places: tuple[Hashable, ...], capacity: tuple[int, ...], spans: dict[Hashable, tuple[int, int]],
                 limit: Limit | None = None):
        self.places, self.capacity, self.spans, self.limit = places, capacity, spans, limit
        self.index = {p: i for i, p in enumerate(places)}
        self._feasible: bool | None = None
        self._checked: dict[tuple, bool] = {}  # (a card's run, its value to the limit, the run kept) -> feasible

    @classmethod
    def of(cls, capacity: dict[Hashable, int], allowed: dict[Hashable, Iterable[Hashable]],
           limit: Limit | None = None) -> Deadlines:
        """From {place: cards it holds}, in time order, and {card: places it may be in} (contiguous in that
        order; ValueError otherwise), and a limit on what some places hold."""
        places = tuple(capacity)
        index = {p: i for i, p in enumerate(places)}
        spans = {}
        for card, where in allowed.items():
            spans[card] = _span(sorted(index[p] for p in where), card)
        return cls(places, tuple(capacity[p] for p in places), spans, limit)

    def feasible(self) -> bool:
        """Whether the cards can be placed, each within its run, filling every place exactly."""
        if self._feasible is None:
            self._feasible = self._sweep() and self._within_limit()
        return self._feasible

    def _within_limit(self) -> bool:
        """Whether the limit can hold: the cards kept to its places, plus the lowest valued of those that may go
        either way for the room its places have left, total at most the bound (an unvalued card counts 0)."""
        if self.limit is None:
            return True
        inside = {self.index[p] for p in self.limit.places}
        room = sum(self.capacity[i] for i in inside)
        total, either = 0, []
        for card, (lo, hi) in self.spans.items():
            spots = set(range(lo, hi + 1))
            if spots <= inside:
                room -= 1
                total += self.limit.values.get(card, 0)
            elif spots & inside:
                either.append(self.limit.values.get(card, 0))
        return total + sum(sorted(either)[:max(room, 0)]) <= self.limit.bound

    def _sweep(self) -> bool:
        if sum(self.capacity) != len(self.spans) or any(lo > hi for lo, hi in self.spans.values()):
            return False
        starting: dict[int, list[int]] = {}
        for lo, hi in self.spans.values():
            starting.setdefault(lo, []).append(hi)
        waiting: list[int] = []
        for p, room in enumerate(self.capacity):
            for hi in starting.get(p, ()):
                heapq.heappush(waiting, hi)
            if len(waiting) < room:
                return False
            for _ in range(room):
                if heapq.heappop(waiting) < p:
                    return False
        return not waiting

    def can_restrict(self, card: Hashable, places: Iterable[Hashable]) -> bool:
        """Whether `restrict(card, places)` would leave a feasible allocation. Cards with the same run and the same
        value to the limit are alike here, so the answer is kept per (run, value, run kept): a step whose
        candidates are the stock's unseen cards sweeps once per kind of card, not once per card."""
        span = self._kept(card, places)
        return span is not None and self._restrict_span(card, span) is not None

    def _key(self, card: Hashable, span: tuple[int, int]) -> tuple:
        """What makes cards alike to `restrict`: the card's run, its value to the limit, and the run kept."""
        return self.spans[card], self.limit.values.get(card, 0) if self.limit else 0, span

    def _kept(self, card: Hashable, places: Iterable[Hashable]) -> tuple[int, int] | None:
        """What is left of `card`'s run kept to `places` (ValueError where not contiguous); None where nothing."""
        lo, hi = self.spans[card]
        kept = sorted(i for i in (self.index[p] for p in places) if lo <= i <= hi)
        return _span(kept, card) if kept else None

    def restrict(self, card: Hashable, places: Iterable[Hashable]) -> Deadlines | None:
        """This allocation with `card` kept to `places` (what is left of its run must stay contiguous); None if
        that leaves no way to place every card. Whether it does is swept once per kind of card (`can_restrict`)."""
        span = self._kept(card, places)
        return None if span is None else self._restrict_span(card, span)

    def _restrict_span(self, card: Hashable, span: tuple[int, int]) -> Deadlines | None:
        """`restrict` with what is left of the card's run already worked out."""
        if span == self.spans[card]:
            return self if self.feasible() else None
        key = self._key(card, span)
        known = self._checked.get(key)  # an alike card kept so before: the same runs, so the same answer
        if known is False:
            return None
        spans = dict(self.spans)
        spans[card] = span
        out = Deadlines(self.places, self.capacity, spans, self.limit)
        out._feasible = known
        self._checked[key] = out.feasible()
        return out if self._checked[key] else None

    def cards_in(self, place: Hashable) -> list[Hashable]:
        """The cards fixed to `place` (their run is that place alone)."""
        i = self.index[place]
        return [c for c, span in self.spans.items() if span == (i, i)]


def _span(indices: list[int], card: Hashable) -> tuple[int, int]:
    """(first, last) of sorted place indices that must be contiguous."""
    if not indices or indices[-1] - indices[0] != len(indices) - 1:
        raise ValueError(f"card {card!r} may be in places {indices}: not one contiguous run")
    return indices[0], indices[-1]
