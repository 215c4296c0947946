"""Where the unseen cards can be: cards x places with capacities, and whether an assignment can be completed.

A player who cannot see the other hands still knows a great deal about them: how many cards each place holds
(a hand, a discard, the stock), which cards are elsewhere, and which suits a seat cannot hold (it failed to
follow suit). `Allocation` keeps, for each unseen card, the set of places it may be in, and each place's
capacity; `feasible` says whether every card can be placed with every place filled exactly. That is Hall's
condition for a b-matching: for every set S of places, the cards that can only go to places in S must fit in
S's capacity. With P places there are 2^P sets, counted at once by a sum over subsets, so the check costs
O(P 2^P) whatever the number of cards: a few hundred operations for the 3 to 6 places of a card game.

It is the look-ahead the belief walk needs in large games (games.belief): a candidate card for a hidden step
is offered only if the allocation stays feasible with that card kept to the step's places (`restrict`). Once
the sum is made, that check costs a scan of the tight sets (those with no room to spare) per candidate.
"""
from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable


class Allocation:
    """Unseen cards, each with the places it may be in (a bit mask over `places`), and each place's capacity.

    Immutable: `restrict` returns a new allocation (None where it would be infeasible); `place` returns one with
    the card placed, ValueError where the card may not be there (check `feasible()` on the result).
    """

    def __init__(self, places: tuple[Hashable, ...], capacity: tuple[int, ...], allowed: dict[Hashable, int],
                 counts: tuple[list[int], list[int]] | None = None):
        self.places, self.capacity, self.allowed = places, capacity, allowed
        self.bit = _bits(places)  # shared by every allocation over these places: never changed
        self._counts = counts  # (inside, room) per set of places, where a parent's counts were carried over
        self._tight: list[int] | None = None  # the sets of places with no room to spare, once computed
        self._checked: dict[tuple[int, int], bool] = {}  # (a card's places, places kept) -> allowed

    @classmethod
    def of(cls, capacity: dict[Hashable, int], allowed: dict[Hashable, Iterable[Hashable]]) -> Allocation:
        """From {place: cards it holds} and {card: places it may be in}."""
        places = tuple(capacity)
        bit = _bits(places)
        masks = {}
        for card, where in allowed.items():
            unknown = [p for p in where if p not in bit]
            if unknown:
                raise ValueError(f"card {card!r} may be in unknown places {unknown}; places: {list(places)}")
            masks[card] = sum({bit[p] for p in where})
        return cls(places, tuple(capacity[p] for p in places), masks)

    def mask(self, places: Iterable[Hashable]) -> int:
        """The bit mask of `places`."""
        return _mask(self.places, tuple(places))

    def _slack(self) -> list[int] | None:
        """Hall's condition by a sum over subsets: None if it fails for some set of places, else the tight sets
        (those whose cards fill them exactly)."""
        counts = self._counts or self._count()
        if counts is None:
            return None
        self._counts = counts
        inside, room = counts
        if any(i > r for i, r in zip(inside, room)):
            return None
        return [s for s in range(1, len(room)) if inside[s] == room[s]]

    def _count(self) -> tuple[list[int], list[int]] | None:
        """Per set S of places: the cards whose places all lie in S, and S's capacity (None where the cards and
        the room differ in number, or a card has no place)."""
        P = len(self.places)
        if sum(self.capacity) != len(self.allowed):
            return None
        inside = [0] * (1 << P)  # inside[S]: the cards whose places all lie in S
        for mask in self.allowed.values():
            if mask == 0:
                return None
            inside[mask] += 1
        for i in range(P):  # sum over subsets
            bit = 1 << i
            for s in range(1 << P):
                if s & bit:
                    inside[s] += inside[s ^ bit]
        room = [0] * (1 << P)
        for s in range(1, 1 << P):
            low = s & -s
            room[s] = room[s ^ low] + self.capacity[low.bit_length() - 1]
        return inside, room

    def feasible(self) -> bool:
        """Whether the cards can be placed, each in one of its places, filling every place exactly."""
        if self._tight is None:
            tight = self._slack()
            if tight is None:
                return False
            self._tight = tight
        return True

    def allows(self, card: Hashable, mask: int) -> bool:
        """Whether this feasible allocation stays feasible with `card` kept to the places of `mask` (and those it
        already may be in): no tight set of places gains it. O(tight sets), without recounting."""
        old = self.allowed[card]
        return self.feasible() and _stays(old, old & mask, self._tight)

    def pass_over(self, cards: list[Hashable], keep: Iterable[Hashable], drop: Iterable[Hashable]) -> list[int]:
        """`cards` judged in turn, each then kept to `drop` (passed over) before the next: the indices of those
        that may be kept to `keep` with every card before them passed over. Stops where passing one more over
        leaves no way to place every card. What `allows` and `restrict` one card after another say, on Hall's
        counts alone, without building the allocations in between."""
        if not self.feasible():
            return []
        keep_mask, drop_mask, P = self.mask(keep), self.mask(drop), len(self.places)
        inside, room = list(self._counts[0]), self._counts[1]
        tight = list(self._tight)
        out = []
        for i, card in enumerate(cards):
            old = self.allowed[card]
            if _stays(old, old & keep_mask, tight):
                out.append(i)
            new = old & drop_mask
            if not _stays(old, new, tight):
                break
            for s in _gaining(P, new, old):
                inside[s] += 1
                if inside[s] == room[s]:
                    tight.append(s)
        return out

    def can_restrict(self, card: Hashable, places: Iterable[Hashable]) -> bool:
        """Whether `restrict(card, places)` would leave a feasible allocation, without building it. Cards that may
        be in the same places are alike here, so the answer is kept per (their places, `places`)."""
        key = (self.allowed[card], self.mask(places))
        if key not in self._checked:
            self._checked[key] = self.allows(card, key[1])
        return self._checked[key]

    def restrict(self, card: Hashable, places: Iterable[Hashable]) -> Allocation | None:
        """This allocation with `card` kept to `places`; None if that leaves no way to place every card."""
        mask = self.mask(places)
        if not self.allows(card, mask):
            return None
        allowed = dict(self.allowed)
        old, allowed[card] = allowed[card], allowed[card] & mask
        # the card now lies inside the sets that hold its new places, not its old ones; `allows` saw that none of
        # them was tight, so the result is feasible and its tight sets are these ones plus those it fills
        inside, room = list(self._counts[0]), self._counts[1]
        tight = list(self._tight)
        for s in _gaining(len(self.places), allowed[card], old):
            inside[s] += 1
            if inside[s] == room[s]:
                tight.append(s)
        out = Allocation(self.places, self.capacity, allowed, (inside, room))
        out._tight = tight
        return out

    def place(self, card: Hashable, place: Hashable) -> Allocation:
        """This allocation with `card` fixed in `place` (it leaves the unseen cards and takes one of the
        place's slots); ValueError if the card may not be there."""
        i = self.places.index(place)
        if not self.allowed[card] >> i & 1:
            raise ValueError(f"card {card!r} may not be in {place!r}")
        capacity = list(self.capacity)
        capacity[i] -= 1
        allowed = {c: m for c, m in self.allowed.items() if c != card}
        counts = None
        if self._counts is not None:  # one card fewer inside the sets that hold its places, one slot fewer in i's
            inside, room = list(self._counts[0]), list(self._counts[1])
            for s in _supersets(len(self.places), self.allowed[card]):
                inside[s] -= 1
            for s in _supersets(len(self.places), 1 << i):
                room[s] -= 1
            counts = (inside, room)
        return Allocation(self.places, tuple(capacity), allowed, counts)

    def choices(self, place: Hashable) -> list[Hashable]:
        """The cards that can go to `place` next with the rest still placeable."""
        i = self.places.index(place)
        if self.capacity[i] == 0:
            return []
        return [c for c, m in self.allowed.items() if m >> i & 1 and self.place(c, place).feasible()]


def _stays(old: int, new: int, tight: list[int]) -> bool:
    """Whether a card whose places shrink from mask `old` to `new` leaves a feasible allocation feasible, given its
    tight sets: it keeps a place, and no tight set gains it (one holding all of `new` but not all of `old`)."""
    return new != 0 and (new == old or not any(s & new == new and s & old != old for s in tight))


@functools.cache
def _bits(places: tuple[Hashable, ...]) -> dict[Hashable, int]:
    """Each place's bit (kept: every allocation a walk derives has the same places)."""
    return {p: 1 << i for i, p in enumerate(places)}


@functools.lru_cache(maxsize=1 << 16)
def _mask(places: tuple[Hashable, ...], chosen: tuple[Hashable, ...]) -> int:
    """The bit mask of `chosen` among `places` (kept: a walk asks for the same few groups of places many times)."""
    bit = _bits(places)
    return sum({bit[p] for p in chosen})


@functools.cache
def _supersets(places: int, mask: int) -> tuple[int, ...]:
    """The sets of `places` places that contain `mask` (kept: a walk asks for the same few masks many times)."""
    rest = ((1 << places) - 1) ^ mask
    out, sub = [], rest
    while True:
        out.append(mask | sub)
        if sub == 0:
            return tuple(out)
        sub = (sub - 1) & rest


@functools.cache
def _gaining(places: int, new: int, old: int) -> tuple[int, ...]:
    """The sets of places a card gains when its places shrink from `old` to `new`: those holding all of `new`
    but not all of `old`."""
    return tuple(s for s in _supersets(places, new) if s & old != old)
