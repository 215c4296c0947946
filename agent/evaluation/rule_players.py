"""Simple rule-based players of our own, a bar above uniform random that a learned agent should clear.

- crazy_eights: play a card whenever one can (an eight last, naming the suit one holds most), else draw, else pass;
- hearts: pass the dangerous cards (the queen, king and ace of spades, then high hearts); lead low; follow with
  the highest card that still ducks under the trick, else the lowest; when void, dump the queen of spades, then
  the king or ace of spades, then the highest heart, then the highest card.

Both read only what their player knows: their legal actions, their own hand (the tokenizer's view of it) and the
public plays.
"""
from __future__ import annotations

import pyspiel

from agent.evaluation.players import Moves, Player
from games import cards
from games.base import GameAdapter
from tokenizer.tokenizer import Tokenizer

SPADES, HEARTS = 3, 2  # suit indices of the shared card order (C, D, H, S); a card id is rank * 4 + suit
QUEEN, KING, ACE = 10, 11, 12  # rank indices


def rule_player(adapter: GameAdapter) -> Player:
    """The rule-based player of `adapter`'s game; ValueError names the games that have one."""
    if adapter.name == "crazy_eights":
        return CrazyEightsRules(adapter)
    if adapter.name == "hearts":
        return HeartsRules(adapter)
    raise ValueError(f"no rule-based player for {adapter.name}; games with one: crazy_eights, hearts")


class CrazyEightsRules(Player):
    """Play a card when one can (an eight last), else draw, else pass; name the suit held most."""

    name = "rules (play a card when you can)"

    def __init__(self, adapter: GameAdapter):
        from games.crazy_eights import DRAW, EIGHT, NOMINATE, PASS

        self.tok, self.draw, self.eight, self.nominate, self.pass_ = Tokenizer.for_game(adapter), DRAW, EIGHT, \
            NOMINATE, PASS

    def act(self, moves: Moves) -> list[int]:
        return [self.choose(state) for _, state in moves]

    def choose(self, state: pyspiel.State) -> int:
        """The rules' action at `state`."""
        legal = state.legal_actions()
        nominations = [a for a in legal if a >= self.nominate]
        if nominations:
            held = [w[0] for w in self.tok.describe(self.tok.holdings(state, state.current_player())[0])]
            return max(nominations, key=lambda a: (held.count(cards.SUIT_WORDS[a - self.nominate][-1]), -a))
        plays = [a for a in legal if a < self.draw]
        if plays:  # any card but an eight first, the highest
            return max(plays, key=lambda a: (a // 4 != self.eight, a // 4, a))
        return self.draw if self.draw in legal else self.pass_


class HeartsRules(Player):
    """Pass danger, lead low, duck under the trick, dump the queen of spades and hearts when void."""

    name = "rules (duck, dump the queen and hearts)"

    def __init__(self, adapter: GameAdapter):
        self.adapter = adapter

    def act(self, moves: Moves) -> list[int]:
        return [self.choose(state) for _, state in moves]

    def choose(self, state: pyspiel.State) -> int:
        """The rules' action at `state`."""
        legal = state.legal_actions()
        if self.adapter.phase(state) == "pass":
            return max(legal, key=danger)
        trick = current_trick(state)
        if not trick:  # lead the lowest card, hearts and the queen of spades last
            return min(legal, key=lambda c: (c % 4 == HEARTS or c == QUEEN * 4 + SPADES, c // 4, c))
        led = trick[0] % 4
        follow = [c for c in legal if c % 4 == led]
        if follow:
            top = max(c // 4 for c in trick if c % 4 == led)
            under = [c for c in follow if c // 4 < top]
            return max(under, key=lambda c: c // 4) if under else min(follow, key=lambda c: c // 4)
        return max(legal, key=danger)  # void: the queen of spades, the king or ace of spades, a heart, the highest


def danger(card: int) -> tuple[int, int]:
    """How much a hearts hand wants rid of `card`: the queen of spades, the king and ace of spades, hearts, then
    the rest, each by rank."""
    rank, suit = card // 4, card % 4
    if suit == SPADES and rank == QUEEN:
        return 3, rank
    if suit == SPADES and rank > QUEEN:
        return 2, rank
    return int(suit == HEARTS), rank


def current_trick(state: pyspiel.State) -> list[int]:
    """The cards played to the hearts trick in progress, in order (public: every play is seen)."""
    from games.hearts import DEAL_END, PASS_END

    history = state.history()
    start = PASS_END if history[0] != 0 else DEAL_END
    plays = history[start:]
    return plays[len(plays) // 4 * 4:]
