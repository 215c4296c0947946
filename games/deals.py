"""What one player knows about where the cards went, as an allocation the belief walk keeps feasible.

In the large card games a hidden step moves one card to a place (a deal to a seat, a pass, a discard) and the
rest of the history says a great deal about where each card can be: the player's own hand, cards played or
revealed later, hand sizes, and what a seat cannot have held when it made a move (it failed to follow suit).
An adapter turns that into a `Guide`: an `Allocation` (games.allocation) of every card that moves through a
hidden step, with the places each may be in, and a `route` that says which card a candidate step moves and to
which places. The walk (games.belief) offers a candidate only if the allocation stays feasible with it, so no
choice leads to a dead end, with no look-ahead over the history.

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

Route = Callable[[dict, pyspiel.State, int, int], "tuple[Hashable, Iterable[Hashable]] | None"]


@dataclasses.dataclass
class Guide:
    """The allocation of the cards that move through hidden steps, and each step's route: `route(ctx, before,
    actor, action)` -> (card, the places it may then be in), or None where the step moves no such card.

    Games with silent chance steps (a deal that shows nothing until the hands are complete) also give: `slots`,
    {history index: the place that step's card goes to}; `sets`, {history index of the step that ends a silent
    run: [(place, size) of each hidden set its words show, in order]}; `word(card)`, the card's word; and
    `order(card)`, the key the game sorts a set's words by."""

    allocation: Allocation | Deadlines
    route: Route
    slots: dict[int, Hashable] = dataclasses.field(default_factory=dict)
    sets: dict[int, list[tuple[Hashable, int]]] = dataclasses.field(default_factory=dict)
    word: Callable[[Hashable], str] | None = None
    order: Callable[[Hashable], object] | None = None


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

    def guide(self, route: Route) -> Guide:
        """The guide of these facts."""
        return Guide(Allocation.of(self.capacity, self.may), route)


def moves(state: pyspiel.State) -> list[tuple[int, int]]:
    """(actor, action) of every step of `state`'s history; the actor is -1 at chance steps."""
    replay, out = state.get_game().new_initial_state(), []
    for action in state.history():
        out.append((replay.current_player(), action))
        replay.apply_action(action)
    return out


def held_none(holders: Holders, plays: list[tuple[int, int]], i: int, cards: Iterable[Hashable],
              places: Iterable[Hashable]) -> None:
    """The seat of `plays[i]` (seat, card) held none of `cards` when it made that play: each of them it had not
    played before is in none of `places` (the places its hand is made of then)."""
    seat = plays[i][0]
    before = {c for s, c in plays[:i] if s == seat}
    for c in cards:
        if c not in before:
            holders.drop(c, places)
