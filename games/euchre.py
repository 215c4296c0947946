"""Euchre: four players in two partnerships, 24 cards (9 to A), five each and a face-up upcard;
two rounds of naming trump, the dealer's discard if the upcard is ordered up, going alone, five tricks."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

PASS, FIRST_TRUMP, ALONE, PARTNER = 24, 25, 29, 30
FIRST_BID = 22  # history index of the first bid: dealer choice, 20 deals, upcard come before
JACK = 2  # rank index of the jack (ranks 9 T J Q K A)
SAME_COLOUR = (3, 2, 1, 0)  # suit index -> the other suit of its colour (C-S, D-H): the left bower's suit


def card(index: int) -> str:
    """OpenSpiel's euchre card index -> shared card name (index = rank * 4 + suit, ranks 9..A)."""
    return cards.rank_major(index, ranks="9TJQKA")


def order(c: int) -> tuple[int, int]:
    """The key a hand is written in: suit, then rank."""
    return c % 4, c // 4


def hand(indices) -> tuple[str, ...]:
    """Card names of a hand, sorted by suit then rank (OpenSpiel shows hands as sets)."""
    return tuple(card(c) for c in sorted(indices, key=order))


class Euchre(GameAdapter):
    """The dealer (chance) and the upcard are public. Nobody sees the deal order (OpenSpiel's information
    state shows hands as sets): the dealing steps show nothing, and the one that completes the deal shows
    each player their own hand, sorted. Bids, the dealer taking the upcard, going alone and plays are public;
    the dealer's discard is seen by the dealer only.
    """

    name = "euchre"
    words = ("alone", "partner", "tricks")
    phases = ("play", "discard")
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals and discards
    stream_version = 1  # a trick ends with `pK take`, its taker
    table_words = ("top", "pass", "trick")  # the upcard, the round of bidding, the suit to follow
    window = 32  # the view holds the hands, the upcard and passes, trump and its maker, who went alone, the trick and
    # each seat's tricks: what the legal bids and plays and the score depend on; the rest of the history is context

    def initial_context(self):
        return {"t": 0, "dealer": 0, "upcard": None, "discard": False, "hands": None, "passes": 0, "maker": None,
                "trump": None, "alone": (), "playing": False, "trick": (), "cards": (), "won": (0,) * 4}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            if t == 0:
                ctx["dealer"] = action
                return [Event("dealer", action)]
            if t < 20:  # card t of the deal goes to dealer + t - 1; nobody is told the order
                return []
            if t == 20:
                dealt = after.history()[1:21]
                ctx["hands"] = tuple(frozenset(dealt[(p - ctx["dealer"]) % 4::4]) for p in range(4))
                return [Event("deal", p, hand(dealt[(p - ctx["dealer"]) % 4::4]), only(p)) for p in range(4)]
            ctx["upcard"] = action  # the last chance step: the face-up upcard
            return [Event("reveal", None, (card(action),))]
        if action < PASS:
            ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
            if ctx["discard"]:
                ctx["discard"] = False
                return [Event("discard", actor, (card(action),), only(actor))]
            taker = self._play(ctx, actor, action)
            return [Event("play", actor, (card(action),))] + ([] if taker is None else [Event("take", taker)])
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if action == PASS:
            ctx["passes"] += 1
        elif action < ALONE:
            ctx["maker"], ctx["trump"] = actor, action - FIRST_TRUMP
        elif action == ALONE:
            ctx["alone"] += (actor,)
        if action >= ALONE:  # going alone or not: the play starts unless a defender may still go alone
            ctx["playing"] = after.current_player() >= 0 and min(after.legal_actions()) < PASS
        if FIRST_TRUMP <= action < ALONE and t < FIRST_BID + 4:  # ordered up: the dealer takes the upcard
            ctx["discard"] = True
            ctx["hands"] = cards.give(ctx["hands"], ctx["dealer"], add=(ctx["upcard"],))
            events.append(Event("take", ctx["dealer"], (card(ctx["upcard"]),)))
        return events

    @staticmethod
    def _play(ctx, actor, c):
        """The trick's bookkeeping: the cards so far, and its winner's tricks once every active seat has played
        (a seat sits out where its partner went alone); the winner then, else None. Suits and ranks as
        OpenSpiel's Trick counts them: the left bower is a trump, the right bower the highest card, the left
        the next."""
        trump, suit, rank = ctx["trump"], c % 4, c // 4
        if rank == JACK and suit == trump:
            rank = 100
        elif rank == JACK and SAME_COLOUR[suit] == trump:
            suit, rank = trump, 99
        ctx["cards"] += (c,)
        taker = tricks.follow(ctx, actor, suit, rank, 4 - len(ctx["alone"]), trump=trump)
        if taker is not None:
            ctx["cards"] = ()
            ctx["won"] = tuple(k + (p == taker) for p, k in enumerate(ctx["won"]))
        return taker

    def view(self, ctx):
        """Once the upcard is turned: every seat's `hand ...` (its owner's alone: the others' end the hidden
        words; the dealer's with the upcard once it is ordered up); while trump is not named, or the dealer has
        yet to discard, the public `top UPCARD` and `pass Nk` (what the legal bids hang on: the upcard's suit,
        the round, the dealer stuck); once named, `trump SUIT` under its maker and `alone` under each seat that
        went alone; in the play, `tricks Nk` of each seat that has taken any (the makers' against the
        defenders': the score) and the `trick CARDS...` so far (what the legal plays depend on), so that the
        networks can read a window of the history beside the view."""
        if ctx["upcard"] is None:
            return []
        events = [Event("hand", p, hand(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        if ctx["trump"] is None or ctx["discard"]:
            events.append(Event("top", None, (card(ctx["upcard"]),)))
        if ctx["trump"] is None:
            return events + ([Event("pass", None, (f"N{ctx['passes']}",))] if ctx["passes"] else [])
        events.append(Event("trump", ctx["maker"], (cards.SUIT_WORDS[ctx["trump"]],)))
        events += [Event("alone", p) for p in ctx["alone"]]
        events += [Event("tricks", p, (f"N{k}",)) for p, k in enumerate(ctx["won"]) if k]
        if not ctx["playing"]:
            return events
        return events + [Event("trick", None, tuple(card(c) for c in ctx["cards"]))]

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

    def belief_guide(self, state, player):
        """Where each card may be: a seat's five (the dealer's split into the four kept and the one discarded
        once it takes the upcard), the face-up upcard, and the three cards never dealt. The player knows their
        own hand (and discard, as dealer), the upcard, and whose each played card was; a hand that did not
        follow the suit led held none of it, suits counted as the rules count them once trump is named (the
        left bower is a trump); the dealer never discards the upcard. Bids and going alone are legal whatever
        the cards. The deal is silent: the walk writes the three other hands (a dealer who took the upcard: its
        kept and discarded places as one set) in the order the last deal step shows them, then deals them (the
        kitty stays undealt). None before the upcard is turned (no one decides before)."""
        steps = deals.moves(state)
        if len(steps) < FIRST_BID:
            return None
        dealer, upcard = steps[0][1], steps[FIRST_BID - 1][1]
        holder = {c: (dealer + i) % 4 for i, (_, c) in enumerate(steps[1:FIRST_BID - 1])}
        trump, ordered, discard, plays = None, False, None, []
        for t, (actor, action) in enumerate(steps[FIRST_BID:], FIRST_BID):
            if FIRST_TRUMP <= action < ALONE:
                trump, ordered = action - FIRST_TRUMP, t < FIRST_BID + 4
            elif action < PASS and ordered and discard is None:
                discard = action
            elif action < PASS:
                plays.append((actor, action))
        took = ("dealer", "kept") if ordered else dealer
        seats = [took if k == dealer else k for k in range(4)]
        capacity = {k: 5 for k in seats}
        if ordered:
            capacity.update({("dealer", "kept"): 5 - (discard is not None), ("dealer", "out"): discard is not None})
        holders = deals.Holders(range(PASS), {**capacity, "up": 1, "kitty": 3})

        def dealt_to(k):
            return [("dealer", "kept"), ("dealer", "out")] if ordered and k == dealer else [seats[k]]

        for c in range(PASS):
            if holder.get(c) == player:
                holders.keep(c, [("dealer", "out")] if c == discard else dealt_to(player))
            else:
                holders.drop(c, dealt_to(player))
        holders.keep(upcard, ["up"])
        for seat, c in plays:
            holders.keep(c, ["up"] if c == upcard else [seats[seat]])
        if trump is not None:
            def suit(c):
                return trump if c // 4 == JACK and SAME_COLOUR[c % 4] == trump else c % 4

            active = 3 if ALONE in [a for _, a in steps] else 4
            holders.read_voids(plays, active, suit,
                               lambda seat: [seats[seat]] + (["up"] if ordered and seat == dealer else []))

        def route(ctx, before, actor, action):
            if actor < 0:
                return (action, ["up"]) if ctx["t"] > 20 else None
            return (action, [("dealer", "out")]) if ctx["discard"] else None
        return holders.guide(route, slots={t: (dealer + t - 1) % 4 for t in range(1, 21)}, word=card, order=order,
                             sets={20: [(k, 5) for k in range(4) if k != player]},
                             groups={k: dealt_to(k) for k in range(4)})
