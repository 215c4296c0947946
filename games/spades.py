"""Partnership spades: players 0 and 2 against 1 and 3, 13 cards each, one bid each (0 = nil),
13 tricks with spades as trumps."""
from games import cards, tricks
from games.base import Event, GameAdapter, only

BID_BASE = 52  # action id of bid 0 (nil); bids run 0..13


def card(index: int) -> str:
    """OpenSpiel's spades card index (suit * 13 + rank, suits CDHS) -> shared card name."""
    return cards.suit_major(index)


class Spades(GameAdapter):
    """Cards are dealt one at a time, privately, to players 0, 1, 2, 3, 0, ... (each player's
    observation shows its hand grow card by card); bids, plays and trick winners are public.
    """

    name = "spades"

    def initial_context(self):
        return {"dealt": 0, "trick": ()}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            seat = ctx["dealt"] % 4
            ctx["dealt"] += 1
            return [Event("deal", seat, (card(action),), only(seat))]
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if action < BID_BASE:
            taker = tricks.follow(ctx, actor, action // 13, action % 13, 4, trump=3)  # spades are trumps
            events += [Event("take", taker)] if taker is not None else []
        return events

    def action_words(self, action, phase):
        if 0 <= action < BID_BASE:
            return ("play", card(action))
        if BID_BASE <= action <= BID_BASE + 13:
            return ("bid", f"N{action - BID_BASE}")
        return None

