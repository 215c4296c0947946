"""Oh Hell: a random number of tricks and dealer, a private hand each, a face-up trump card,
one bid each, then tricks."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

SUITS = "CDSH"  # OpenSpiel's oh_hell suit order


class OhHell(GameAdapter):
    """The number of tricks (`deal N7`: seven cards each), the dealer and the face-up trump card are public.

    Nobody sees the deal order (OpenSpiel's information state shows hands as sets): the dealing steps show
    nothing, and the one that completes the deal shows each player their own hand, sorted. Bids, plays and
    trick winners are public.
    """

    name = "oh_hell"
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals
    words = ("tricks",)
    table_words = ("trump", "trick")  # the trump suit, the suit to follow
    seat_words = ("bid", "tricks")  # a trick a point, ten more for taking exactly the bid
    window = 32  # the view holds the hands, the trump card, the trick, each seat's bid and tricks: the rest is context

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.suits = SUITS[:int(p["num_suits"])]
        self.ranks = cards.RANKS[:int(p["num_cards_per_suit"])]
        self.num_cards = len(self.suits) * len(self.ranks)

    def card(self, index: int) -> str:
        """OpenSpiel's card index (rank * suits + suit) -> shared card name."""
        return cards.rank_major(index, self.suits, self.ranks)

    def order(self, index: int) -> tuple[int, int]:
        """The key a hand is written in: suit (in the shared order C D H S), then rank."""
        return cards.SUITS.index(self.suits[index % len(self.suits)]), index

    def hand(self, indices) -> tuple[str, ...]:
        """Card names of `indices`, suit by suit, low to high."""
        return tuple(self.card(i) for i in sorted(indices, key=self.order))

    def initial_context(self):
        return {"n": 0, "tricks": 0, "trump": -1, "trick": (), "hands": None, "card": None,
                "bids": (None,) * self.num_players, "won": (0,) * self.num_players}

    def step(self, ctx, before, actor, action, after):
        n = ctx["n"]
        ctx["n"] = n + 1
        if actor >= 0:
            return self._act(ctx, actor, action)
        if n == 0:
            ctx["tricks"] = action
            return [Event("deal", None, (f"N{action}",))]
        if n == 1:
            return [Event("dealer", action)]
        hands_end = 2 + self.num_players * ctx["tricks"]  # history length once every hand is dealt
        if n < hands_end:  # card k of the deal goes to player k % players; nobody is told the order
            if n + 1 < hands_end:
                return []
            dealt, k = after.history()[2:hands_end], self.num_players
            ctx["hands"] = tuple(frozenset(dealt[p::k]) for p in range(k))
            return [Event("deal", p, self.hand(dealt[p::k]), only(p)) for p in range(k)]
        if n == hands_end:
            ctx["trump"], ctx["card"] = action % len(self.suits), action
            return [Event("trump", None, (self.card(action),))]
        return []

    def _act(self, ctx, actor, action):
        """Public events of a bid or a play (plus the trick's winner when it completes)."""
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if action >= self.num_cards:
            ctx["bids"] = tuple(action - self.num_cards if p == actor else b for p, b in enumerate(ctx["bids"]))
            return events
        ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
        rank, suit = divmod(action, len(self.suits))
        taker = tricks.follow(ctx, actor, suit, rank, self.num_players, trump=ctx["trump"])
        if taker is not None:
            ctx["won"] = tuple(k + (p == taker) for p, k in enumerate(ctx["won"]))
            events.append(Event("take", taker))
        return events

    def view(self, ctx):
        """Once the trump card is turned: every seat's `hand ...` (its owner's alone: the others' end the hidden
        words), the public `trump CARD`, `bid Nk` of each seat that has bid (the last bidder may not make the
        bids add up to the tricks: the hands' size), `tricks Nk` of each seat that has taken any (the score: a
        point a trick, a bonus for taking exactly the bid) and once every seat has bid the `trick CARDS...`
        so far (what the legal plays depend on), so that the networks can read a window of the history beside
        the view."""
        if ctx["card"] is None:
            return []
        events = [Event("hand", p, self.hand(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        events += [Event("bid", p, (f"N{b}",)) for p, b in enumerate(ctx["bids"]) if b is not None]
        events += [Event("tricks", p, (f"N{k}",)) for p, k in enumerate(ctx["won"]) if k]
        events.append(Event("trump", None, (self.card(ctx["card"]),)))
        if None in ctx["bids"]:
            return events
        n = len(self.suits)
        return events + [Event("trick", None, tuple(self.card(rank * n + suit) for _, suit, rank in ctx["trick"]))]

    def action_words(self, action, phase):
        if 0 <= action < self.num_cards:
            return ("play", self.card(action))
        if self.num_cards <= action < self.num_actions:
            return ("bid", f"N{action - self.num_cards}")
        return None

    def belief_guide(self, state, player):
        """Each seat holds one card per trick and the rest of the deck (the face-up trump card among it) is not
        dealt; the player knows their own hand, the trump card and whose each played card was; a seat that did
        not follow suit held none of the suit led. Bids are legal whatever the cards. The deal is silent: the
        walk writes the other hands in the order the last deal step shows them, then deals them (the rest stays
        undealt). None before the trump card is turned (no one decides before)."""
        steps, k, n = deals.moves(state), self.num_players, len(self.suits)
        if len(steps) < 2 or len(steps) < 3 + k * steps[0][1]:
            return None
        size = steps[0][1]  # cards per hand: one per trick
        hands_end = 2 + k * size
        dealt = [action for _, action in steps[2:hands_end]]
        holder = {c: i % k for i, c in enumerate(dealt)}
        holders = deals.Holders(range(self.num_cards), {**{p: size for p in range(k)},
                                                        "rest": self.num_cards - len(dealt)})
        for c in range(self.num_cards):
            holders.keep(c, [player]) if holder.get(c) == player else holders.drop(c, [player])
        holders.keep(steps[hands_end][1], ["rest"])  # the trump card, face up
        plays = [(actor, c) for actor, c in steps[hands_end + 1:] if c < self.num_cards]
        for seat, c in plays:
            holders.keep(c, [seat])
        holders.read_voids(plays, k, lambda c: c % n, lambda seat: [seat])

        def route(ctx, before, actor, action):  # the trump card, turned from the rest
            return (action, ["rest"]) if actor < 0 and ctx["n"] == hands_end else None
        return holders.guide(route, slots={i: (i - 2) % k for i in range(2, hands_end)}, word=self.card,
                             order=self.order, sets={hands_end - 1: [(q, size) for q in range(k) if q != player]})
