"""The one shared vocabulary: every word any game can say, with a fixed id.

The ids are the line numbers of `vocab.txt`, which only grows: a word is added at its end, so a model trained on
an earlier vocabulary reads the same ids (its vocabulary is a prefix of this one, checked by fingerprint on
load). The words the code says come from `spoken()`: specials, game names, seats, positions, cards, ranks,
suits, numbers, common verbs, then each adapter's extra words in `games.registry` order and the generic
fallback's; any not yet in the file follow its words in that order (tests ask for them to be written there).
Cards are shared by observations and actions.
"""
from __future__ import annotations

import functools
import hashlib
import pathlib

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


FILE = pathlib.Path(__file__).with_name("vocab.txt")


@functools.lru_cache(maxsize=1)
def words() -> tuple[str, ...]:
    """All vocabulary words in id order: `vocab.txt`, then any word the code says that the file lacks."""
    kept = tuple(FILE.read_text().split("\n")[:-1])
    known = set(kept)
    return kept + tuple(w for w in spoken() if w not in known)


def unwritten() -> list[str]:
    """Words the code says that `vocab.txt` does not hold yet (they belong at its end)."""
    known = set(FILE.read_text().split("\n"))
    return [w for w in spoken() if w not in known]


@functools.lru_cache(maxsize=1)
def spoken() -> tuple[str, ...]:
    """Every word the code can say, once each, in the order new ones are added to the vocabulary."""
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


def fingerprint(size: int | None = None) -> str:
    """A short hash of the vocabulary's first `size` words (all by default); checkpoints store it with their size,
    to refuse a model whose ids meant other words."""
    return hashlib.sha256("\n".join(words()[:size]).encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def card_parts() -> tuple[tuple[int, int, int], ...]:
    """(card id, its rank word's id, its suit word's id) for every suited card: what the model composes a card's
    embedding from, so cards sharing a suit or a rank start out alike in every game."""
    at = ids()
    return tuple((at[c], at["R" + c[1]], at["suit_" + c[0]]) for c in cards.CARDS if len(c) == 2)
