"""The one shared vocabulary: every word any game can say, with a fixed id.

Order: specials, game names, seats, positions, cards, ranks, suits, numbers,
common verbs, then each adapter's extra words in `games.registry` order and
the generic fallback's. Cards are shared by observations and actions.
"""
from __future__ import annotations

import functools
import hashlib

from games import adapter_class, cards
from games.base import MASK, VIEW, seat_word
from games.registry import ADAPTERS

PAD, BOS, EOS, SEP = "<pad>", "<bos>", "<eos>", "<sep>"
SPECIALS = (PAD, BOS, EOS, SEP, MASK, VIEW)
MAX_SEATS = 10
SEATS = tuple(seat_word(k) for k in range(MAX_SEATS))  # seat relative to the observer
POSITIONS = tuple(f"pos{k}" for k in range(MAX_SEATS))  # the observer's absolute seat
NUMBERS = tuple(f"N{k}" for k in range(100))
VERBS = ("deal", "board", "dealer", "roll", "bet", "call", "check", "fold", "raise", "pass", "play",
         "draw", "bid", "knock", "discard", "meld", "ask", "give", "nominate", "reveal", "liar", "hit",
         "stand", "double", "redouble", "trump", "lead", "take", "phase", "hand", "top")


def game_word(name: str) -> str:
    """The token naming game `name`."""
    return f"game:{name}"


@functools.lru_cache(maxsize=1)
def words() -> tuple[str, ...]:
    """All vocabulary words in id order."""
    out = list(SPECIALS) + [game_word(n) for n in list(ADAPTERS) + ["generic"]]
    out += SEATS + POSITIONS + cards.CARDS + cards.RANK_WORDS + cards.SUIT_WORDS + NUMBERS + VERBS
    from games.generic import GenericGame
    for name in ADAPTERS:
        out += adapter_class(name).words
    out += GenericGame.words
    seen, unique = set(), []
    for w in out:
        if w not in seen:
            seen.add(w)
            unique.append(w)
    return tuple(unique)


@functools.lru_cache(maxsize=1)
def ids() -> dict[str, int]:
    """Word -> id."""
    return {w: i for i, w in enumerate(words())}


def size() -> int:
    """Number of ids in the vocabulary."""
    return len(words())


def fingerprint() -> str:
    """A short hash of the vocabulary; checkpoints store it to refuse a model trained on other ids."""
    return hashlib.sha256("\n".join(words()).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def card_parts() -> tuple[tuple[int, int, int], ...]:
    """(card id, its rank word's id, its suit word's id) for every suited card: what the model composes a card's
    embedding from, so cards sharing a suit or a rank start out alike in every game."""
    at = ids()
    return tuple((at[c], at["R" + c[1]], at["suit_" + c[0]]) for c in cards.CARDS if len(c) == 2)
