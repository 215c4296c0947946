"""Euchre: four players in two partnerships, 24 cards (9 to A), five each and a face-up upcard;
two rounds of naming trump, the dealer's discard if the upcard is ordered up, going alone, five tricks."""
from games import cards
from games.base import Event, GameAdapter, only

PASS, FIRST_TRUMP, ALONE, PARTNER = 24, 25, 29, 30
FIRST_BID = 22  # history index of the first bid: dealer choice, 20 deals, upcard come before


def card(index: int) -> str:
    """OpenSpiel's euchre card index -> shared card name (index = rank * 4 + suit, ranks 9..A)."""
    return cards.rank_major(index, ranks="9TJQKA")


def hand(indices) -> tuple[str, ...]:
    """Card names of a hand, sorted by suit then rank (OpenSpiel shows hands as sets)."""
    return tuple(card(c) for c in sorted(indices, key=lambda c: (c % 4, c // 4)))


class Euchre(GameAdapter):
    """The dealer (chance) and the upcard are public. Nobody sees the deal order (OpenSpiel's information
    state shows hands as sets): each dealt card is a wholly hidden event, and when the deal completes each
    player sees their own hand, sorted. Bids, the dealer taking the upcard, going alone and plays are public;
    the dealer's discard is seen by the dealer only.
    """

    name = "euchre"
    words = ("alone", "partner")
    phases = ("play", "discard")
    has_resampler = True

    def initial_context(self):
        return {"t": 0, "dealer": 0, "upcard": 0, "discard": False}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            if t == 0:
                ctx["dealer"] = action
                return [Event("dealer", action)]
            if t <= 20:  # card t of the deal goes to dealer + t - 1; nobody is told the order
                events = [Event("deal", (ctx["dealer"] + t - 1) % 4, (card(action),), only(), only())]
                if t == 20:
                    dealt = after.history()[1:21]
                    events += [Event("deal", p, hand(dealt[(p - ctx["dealer"]) % 4::4]), only(p)) for p in range(4)]
                return events
            ctx["upcard"] = action  # the last chance step: the face-up upcard
            return [Event("reveal", None, (card(action),))]
        if action < PASS:
            if ctx["discard"]:
                ctx["discard"] = False
                return [Event("discard", actor, (card(action),), only(actor))]
            return [Event("play", actor, (card(action),))]
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if FIRST_TRUMP <= action < ALONE and t < FIRST_BID + 4:  # ordered up: the dealer takes the upcard
            ctx["discard"] = True
            events.append(Event("take", ctx["dealer"], (card(ctx["upcard"]),)))
        return events

    def phase(self, state):
        h = state.history()
        n = len(h)
        return "discard" if FIRST_BID < n <= FIRST_BID + 4 and FIRST_TRUMP <= h[-1] < ALONE else "play"

    def action_words(self, action, phase):
        if 0 <= action < PASS:
            return ("discard" if phase == "discard" else "play", card(action))
        if phase != "play":
            return None
        if action == PASS:
            return ("pass",)
        if FIRST_TRUMP <= action < ALONE:
            return ("trump", cards.SUIT_WORDS[action - FIRST_TRUMP])
        return {ALONE: ("alone",), PARTNER: ("partner",)}.get(action)
