"""Partnership spades: players 0 and 2 against 1 and 3, 13 cards each, one bid each (0 = nil),
13 tricks with spades as trumps."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

BID_BASE = 52  # action id of bid 0 (nil); bids run 0..13


def card(index: int) -> str:
    """OpenSpiel's spades card index (suit * 13 + rank, suits CDHS) -> shared card name."""
    return cards.suit_major(index)


def hand(indices) -> tuple[str, ...]:
    """Card names of a hand, suit by suit (C D H S), low to high."""
    return tuple(card(c) for c in sorted(indices))


class Spades(GameAdapter):
    """Cards are dealt one at a time, privately, to players 0, 1, 2, 3, 0, ... (each player's
    observation shows its hand grow card by card); bids, plays and trick winners are public.
    """

    name = "spades"
    words = ("tricks",)
    belief_walk = True  # a guide keeps the walk's choices to possible deals
    table_words = ("trick",)  # the suit to follow
    seat_words = ("bid", "tricks")  # a side's bids against its tricks: the score
    window = 32  # the view holds the hands, the trick, each seat's bid and tricks taken: the rest is context

    def initial_context(self):
        return {"dealt": 0, "trick": (), "hands": (frozenset(),) * 4, "bids": (None,) * 4, "tricks": (0,) * 4}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            seat = ctx["dealt"] % 4
            ctx["dealt"] += 1
            ctx["hands"] = cards.give(ctx["hands"], seat, add=(action,))
            return [Event("deal", seat, (card(action),), only(seat))]
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if action >= BID_BASE:
            ctx["bids"] = tuple(action - BID_BASE if p == actor else b for p, b in enumerate(ctx["bids"]))
            return events
        ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
        taker = tricks.follow(ctx, actor, action // 13, action % 13, 4, trump=3)  # spades are trumps
        if taker is not None:
            ctx["tricks"] = tuple(k + (p == taker) for p, k in enumerate(ctx["tricks"]))
            events.append(Event("take", taker))
        return events

    def view(self, ctx):
        """Once the deal is complete: every seat's `hand ...` (its owner's alone: the others' end the hidden
        words), `bid Nk` of each seat that has bid and `tricks Nk` of each that has taken any (what the score
        depends on: a side's bids against its tricks, a nil bid against its bidder's), and once every seat has
        bid the public `trick CARDS...` (the current trick so far: what the legal plays depend on), so that the
        networks can read a window of the history beside the view."""
        if ctx["dealt"] < 52:
            return []
        events = [Event("hand", p, hand(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        events += [Event("bid", p, (f"N{b}",)) for p, b in enumerate(ctx["bids"]) if b is not None]
        events += [Event("tricks", p, (f"N{k}",)) for p, k in enumerate(ctx["tricks"]) if k]
        if None in ctx["bids"]:
            return events
        return events + [Event("trick", None, tuple(card(suit * 13 + rank) for _, suit, rank in ctx["trick"]))]

    def action_words(self, action, phase):
        if 0 <= action < BID_BASE:
            return ("play", card(action))
        if BID_BASE <= action <= BID_BASE + 13:
            return ("bid", f"N{action - BID_BASE}")
        return None


    def belief_guide(self, state, player):
        """Each seat holds 13 cards; the player knows their own, every card played is its player's, a seat that
        did not follow suit held none of the suit led, and one that led a spade held only spades (OpenSpiel's
        spades are never broken: a spade is led only by a hand of spades)."""
        steps = deals.moves(state)
        dealt = [action for actor, action in steps[:52]]
        holders = deals.Holders(range(52), {**{p: len(dealt[p::4]) for p in range(4)}, "deck": 52 - len(dealt)})
        mine = set(dealt[player::4])
        for c in range(52):
            holders.keep(c, [player]) if c in mine else holders.drop(c, [player])
        for c in dealt:
            holders.drop(c, ["deck"])
        plays = [(actor, action) for actor, action in steps[52:] if action < BID_BASE]
        for seat, c in plays:
            holders.keep(c, [seat])
        holders.read_voids(plays, 4, lambda c: c // 13, lambda seat: [seat])
        for i, lead in enumerate(tricks.led(plays, 4)):
            if lead is None and plays[i][1] // 13 == 3:
                deals.held_none(holders, plays, i, range(39), [plays[i][0]])
        return holders.guide(lambda ctx, before, actor, action: (action, [ctx["dealt"] % 4]) if actor < 0 else None)
