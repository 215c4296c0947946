"""What one player knows about where the cards went, as an allocation the belief walk keeps feasible.

In the large card games a hidden step moves one card to a place (a deal to a seat, a pass, a discard) and the
rest of the history says a great deal about where each card can be: the player's own hand, cards played or
revealed later, hand sizes, and what a seat cannot have held when it made a move (it failed to follow suit).
An adapter turns that into a `Guide`: an `Allocation` (games.allocation) of every card that moves through a
hidden step, with the places each may be in, and a `route` that says which card a candidate step moves and to
which places. The walk (games.belief) offers a candidate only if the allocation stays feasible with it, so no
choice leads to a dead end, with no look-ahead over the history.

Where nobody sees the deal order (crazy_eights, hearts, bridge, euchre, oh_hell, skat), the dealing steps show
nothing and the step that completes the deal shows the hands as sets. The walk then writes each hidden hand as
a set rather than step by step, and the guide also says which set each dealing step fills, which sets the
deal's end shows and the allocation places each set covers (`Guide`); `may_be_in` and `held_in` read any of the
allocations (games.allocation, games.deadlines, games.either) for it.

A guide is built from the real state, so it must read only what the player knows: their own cards, public
moves and reveals. tests/test_possible_worlds.py checks this: a walk over a sampled world offers the same
choices as a walk over the real state.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Iterable

import pyspiel

from games import tricks
from games.allocation import Allocation
from games.deadlines import Deadlines
from games.either import Either

Route = Callable[[dict, pyspiel.State, int, int], "tuple[Hashable, Iterable[Hashable]] | None"]


@dataclasses.dataclass
class Guide:
    """The allocation of the cards that move through hidden steps, and each step's route: `route(ctx, before,
    actor, action)` -> (card, the places it may then be in), or None where the step moves no such card.

    Games with silent chance steps (a deal that shows nothing until the hands are complete) also give: `slots`,
    {history index of a silent step: the set (a hand, the skat) its card joins}; `sets`, {history index of the
    step that ends a silent run: [(set, size) of each hidden set its words show, in order]}; `groups`, {set: the
    allocation places its cards may be in, which it fills exactly} (a set missing there is one place: itself);
    `word(card)`, the card's word; and `order(card)`, the key the game sorts a set's words by. A set is a group
    of places where the allocation splits a dealt hand by what later became of its cards (hearts' passed three
    and kept ten, euchre's dealer's discard). `holds(allocation)`, where given, is a condition the allocation's
    places and capacities cannot say (crazy_eights: an eight stays in the deck for a starter put back), which
    every choice of the walk must keep true."""

    allocation: Allocation | Deadlines | Either
    route: Route
    slots: dict[int, Hashable] = dataclasses.field(default_factory=dict)
    sets: dict[int, list[tuple[Hashable, int]]] = dataclasses.field(default_factory=dict)
    groups: dict[Hashable, list[Hashable]] = dataclasses.field(default_factory=dict)
    word: Callable[[Hashable], str] | None = None
    order: Callable[[Hashable], object] | None = None
    holds: Callable[[Allocation | Deadlines | Either], bool] | None = None

    def allows(self, alloc: Allocation | Deadlines | Either, card: Hashable, places: list[Hashable]) -> bool:
        """Whether `card` may be kept to `places`: the allocation stays feasible, and `holds` true."""
        if not alloc.can_restrict(card, places):
            return False
        return self.holds is None or self.holds(alloc.restrict(card, places))

    def places(self, name: Hashable) -> list[Hashable]:
        """The allocation places of set `name`."""
        return list(self.groups.get(name, [name]))


def may_be_in(alloc: Allocation | Deadlines | Either, places: list[Hashable]) -> list[Hashable]:
    """The unseen cards that may be in one of `places` (in the allocation's order of cards)."""
    if isinstance(alloc, Either):
        may = set().union(*(may_be_in(m, places) for m in alloc.members))
        return [c for c in alloc.members[0].allowed if c in may]
    if isinstance(alloc, Deadlines):
        spots = {alloc.index[p] for p in places}
        return [c for c, (lo, hi) in alloc.spans.items() if any(lo <= i <= hi for i in spots)]
    mask = alloc.mask(places)
    return [c for c, m in alloc.allowed.items() if m & mask]


def held_in(alloc: Allocation | Deadlines | Either, places: list[Hashable]) -> list[Hashable]:
    """The unseen cards that can only be in `places` (under every possibility of an `Either`)."""
    if isinstance(alloc, Either):
        held = [set(held_in(m, places)) for m in alloc.members]
        return [c for c in alloc.members[0].allowed if all(c in h for h in held)]
    if isinstance(alloc, Deadlines):
        spots = {alloc.index[p] for p in places}
        return [c for c, (lo, hi) in alloc.spans.items() if set(range(lo, hi + 1)) <= spots]
    mask = alloc.mask(places)
    return [c for c, m in alloc.allowed.items() if m and not m & ~mask]


class Holders:
    """For each card, the places it may be in, narrowed fact by fact; `guide` turns it into a Guide."""

    def __init__(self, deck: Iterable[Hashable], capacity: dict[Hashable, int]):
        self.capacity = dict(capacity)
        self.may = {c: set(self.capacity) for c in deck}

    def keep(self, card: Hashable, places: Iterable[Hashable]) -> None:
        """`card` is in one of `places`."""
        self.may[card] &= set(places)

    def drop(self, card: Hashable, places: Iterable[Hashable]) -> None:
        """`card` is in none of `places`."""
        self.may[card] -= set(places)

    def read_voids(self, plays: list[tuple[int, int]], players: int, suit: Callable[[int], int],
                   hand_of: Callable[[int], list | None]) -> None:
        """Each play (seat, card) that did not follow the suit led says its seat held none of that suit then
        (`suit(card)` as the rules count it): those cards it had not played are in none of `hand_of(seat)`, the
        places its hand is made of (None: a hand the player knows, nothing to read)."""
        for i, led in tricks.voids(plays, players, suit):
            places = hand_of(plays[i][0])
            if places is not None:
                held_none(self, plays, i, [c for c in self.may if suit(c) == led], places)

    def guide(self, route: Route, **deal) -> Guide:
        """The guide of these facts (`deal`: a silent deal's `slots`, `sets`, `groups`, `word` and `order`)."""
        return Guide(Allocation.of(self.capacity, self.may), route, **deal)


def moves(state: pyspiel.State) -> list[tuple[int, int]]:
    """(actor, action) of every step of `state`'s history; the actor is -1 at chance steps."""
    return [(step.player, step.action) for step in state.full_history()]


def held_none(holders: Holders, plays: list[tuple[int, int]], i: int, cards: Iterable[Hashable],
              places: Iterable[Hashable]) -> None:
    """The seat of `plays[i]` (seat, card) held none of `cards` when it made that play: each of them it had not
    played before is in none of `places` (the places its hand is made of then)."""
    seat = plays[i][0]
    before = {c for s, c in plays[:i] if s == seat}
    for c in cards:
        if c not in before:
            holders.drop(c, places)
