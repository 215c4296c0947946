"""An allocation the player knows only up to one of a few capacities: the cards can be placed if they can under
any of them.

Some hidden counts are never shown. In skat a defender never learns how many of the solo player's two discards
came from the skat and how many from the hand they were dealt, so the places (dealt hand or skat) x (kept or
discarded) have capacities known only as a few possibilities; each is an `Allocation` (games.allocation) of its
own. `Either` answers the belief walk (games.belief) as one allocation does: `restrict(card, places)` keeps the
possibilities that stay feasible with the card kept to those places, and gives None once none does. Exact, at
the cost of one check per possibility.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable

from games.allocation import Allocation


class Either:
    """Allocations over the same places and cards, differing in capacities; feasible while any of them is."""

    def __init__(self, members: tuple[Allocation, ...]):
        self.members = members  # the feasible possibilities (at least one)
        self.places = members[0].places

    @classmethod
    def of(cls, capacities: Iterable[dict[Hashable, int]], allowed: dict[Hashable, Iterable[Hashable]]) -> Either:
        """From each possible {place: cards it holds} and {card: places it may be in}; ValueError where no
        possibility is feasible (the facts contradict one another)."""
        allowed = {card: list(where) for card, where in allowed.items()}
        members = tuple(m for m in (Allocation.of(c, allowed) for c in capacities) if m.feasible())
        if not members:
            raise ValueError("no possible capacities leave the cards placeable")
        return cls(members)

    def feasible(self) -> bool:
        """Whether the cards can be placed under some possibility (always: infeasible ones are dropped)."""
        return True

    def can_restrict(self, card: Hashable, places: Iterable[Hashable]) -> bool:
        """Whether `restrict(card, places)` would leave some possibility feasible."""
        places = list(places)
        return any(m.can_restrict(card, places) for m in self.members)

    def restrict(self, card: Hashable, places: Iterable[Hashable]) -> Either | None:
        """The possibilities that stay feasible with `card` kept to `places`; None if none does."""
        places = list(places)
        kept = tuple(r for r in (m.restrict(card, places) for m in self.members) if r is not None)
        return Either(kept) if kept else None
