"""Skat (OpenSpiel's simplified version): three players, 32 cards, ten each and two in the skat;
the first player to name a game (suit, grand or null) plays solo, takes the skat, discards two, ten tricks."""
from games import cards
from games.base import Event, GameAdapter, only

DECK = 32
PASS = 32  # bids: 32 pass, 33..36 diamonds, hearts, spades, clubs, 37 grand, 38 null
BIDS = (("pass",), ("bid", "suit_D"), ("bid", "suit_H"), ("bid", "suit_S"), ("bid", "suit_C"),
        ("bid", "grand"), ("bid", "null"))
# Deal round -> recipient (3 = the skat), OpenSpiel's official dealing order: 3, skat 2, 4, 3 cards.
RECIPIENT = tuple(0 if r <= 2 or 11 <= r <= 14 or 23 <= r <= 25 else
                  1 if r <= 5 or 15 <= r <= 18 or 26 <= r <= 28 else
                  2 if r <= 8 or 19 <= r <= 22 or r >= 29 else 3 for r in range(DECK))


def card(index: int) -> str:
    """OpenSpiel's skat card index -> shared card name: index = suit * 8 + rank, suits DHSC, ranks 789QKTAJ."""
    return cards.suit_major(index, suits="DHSC", ranks="789QKTAJ")


def hand(indices) -> tuple[str, ...]:
    """Card names of a set of cards in OpenSpiel's order (it shows hands as sets)."""
    return tuple(card(c) for c in sorted(indices))


class Skat(GameAdapter):
    """Nobody sees the deal order (observations show hands as sets): each dealt card is a wholly hidden event,
    and when the deal completes each player sees their own hand. The skat is seen by no one until the solo
    player takes it. Bids and plays are public; the solo player's two discards are seen by the solo player only.
    """

    name = "skat"
    words = ("grand", "null")
    phases = ("play", "discard")

    def initial_context(self):
        return {"t": 0, "skat": (), "discards": 2}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            seat = RECIPIENT[t] if RECIPIENT[t] < 3 else None  # None: into the skat
            events = [Event("deal", seat, (card(action),), only(), only())]  # nobody sees the order
            if t == DECK - 1:
                dealt = after.history()[:DECK]
                held = [[c for c, r in zip(dealt, RECIPIENT) if r == p] for p in range(4)]
                ctx["skat"] = hand(held[3])
                events += [Event("deal", p, hand(held[p]), only(p)) for p in range(3)]
            return events
        if action == PASS:
            return [Event("pass", actor)]
        if action > PASS:
            ctx["discards"] = 0
            return [Event("bid", actor, BIDS[action - PASS][1:]), Event("take", actor, ctx["skat"], only(actor))]
        if ctx["discards"] < 2:
            ctx["discards"] += 1
            return [Event("discard", actor, (card(action),), only(actor))]
        return [Event("play", actor, (card(action),))]

    def phase(self, state):
        h = state.history()
        for i in range(DECK, min(DECK + 3, len(h))):
            if h[i] > PASS:  # the winning bid; the solo player's next two actions are discards
                return "discard" if len(h) - i - 1 < 2 else "play"
        return "play"

    def action_words(self, action, phase):
        if 0 <= action < DECK:
            return ("discard" if phase == "discard" else "play", card(action))
        if phase == "play" and PASS <= action < PASS + len(BIDS):
            return BIDS[action - PASS]
        return None
