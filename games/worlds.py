"""Hidden words against the real game: is a belief sample possible given what a player saw?

A player's hidden words fill, in order, the payloads they did not see, then end with the unseen part of the
adapter's view (other seats' hands). A fill is consistent when some history the player cannot tell from the real
one produces it. The belief walk (games.belief) offers, word by word, exactly the words some such history
admits, so a fill is consistent when the walk accepts each of its words in turn: exact wherever a walk can be
made, silent deals (crazy_eights, hearts, bridge, euchre, oh_hell, skat) included. Used to score b's free
samples (how often b alone writes a possible world) in the evaluation report and tests.
"""
from __future__ import annotations

import pyspiel

from games.base import GameAdapter
from games.belief import Walk


def consistent_history(adapter: GameAdapter, state: pyspiel.State, player: int,
                       hidden: list[str]) -> list[int] | None:
    """A history that `player` cannot tell from `state`'s and whose hidden words are `hidden`; None if none exists.
    games.belief.Unsupported where no walk can be made in this game."""
    walk, pos = Walk(adapter, state, player), 0
    while True:
        for word in walk.take_forced():
            if pos >= len(hidden) or hidden[pos] != word:
                return None
            pos += 1
        if walk.done:
            return walk.actions if pos == len(hidden) else None
        if pos >= len(hidden) or hidden[pos] not in walk.allowed():
            return None
        walk.feed(hidden[pos])
        pos += 1


def is_consistent(adapter: GameAdapter, state: pyspiel.State, player: int, hidden: list[str]) -> bool:
    """Whether some history that `player` cannot tell from `state`'s has hidden words `hidden`."""
    return consistent_history(adapter, state, player, hidden) is not None
