"""Oh Hell: a random number of tricks and dealer, a private hand each, a face-up trump card,
one bid each, then tricks."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

SUITS = "CDSH"  # OpenSpiel's oh_hell suit order


class OhHell(GameAdapter):
    """The number of tricks (`deal N7`: seven cards each), the dealer and the face-up trump card are public.

    Nobody sees the deal order (OpenSpiel's information state shows hands as sets): each dealt card is a
    wholly hidden event, and when the deal completes each player sees their own hand, sorted. Bids, plays
    and trick winners are public.
    """

    name = "oh_hell"
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.suits = SUITS[:int(p["num_suits"])]
        self.ranks = cards.RANKS[:int(p["num_cards_per_suit"])]
        self.num_cards = len(self.suits) * len(self.ranks)

    def card(self, index: int) -> str:
        """OpenSpiel's card index (rank * suits + suit) -> shared card name."""
        return cards.rank_major(index, self.suits, self.ranks)

    def hand(self, indices) -> tuple[str, ...]:
        """Card names of `indices`, suit by suit, low to high."""
        n = len(self.suits)
        order = [cards.SUITS.index(s) for s in self.suits]
        return tuple(self.card(i) for i in sorted(indices, key=lambda i: (order[i % n], i)))

    def initial_context(self):
        return {"n": 0, "tricks": 0, "trump": -1, "trick": ()}

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
            events = [Event("deal", (n - 2) % self.num_players, (self.card(action),), only(), only())]
            if n + 1 == hands_end:
                dealt = after.history()[2:hands_end]
                k = self.num_players
                events += [Event("deal", p, self.hand(dealt[p::k]), only(p)) for p in range(k)]
            return events
        if n == hands_end:
            ctx["trump"] = action % len(self.suits)
            return [Event("trump", None, (self.card(action),))]
        return []

    def _act(self, ctx, actor, action):
        """Public events of a bid or a play (plus the trick's winner when it completes)."""
        words = self.action_words(action, "play")
        events = [Event(words[0], actor, words[1:])]
        if action < self.num_cards:
            rank, suit = divmod(action, len(self.suits))
            taker = tricks.follow(ctx, actor, suit, rank, self.num_players, trump=ctx["trump"])
            events += [Event("take", taker)] if taker is not None else []
        return events

    def action_words(self, action, phase):
        if 0 <= action < self.num_cards:
            return ("play", self.card(action))
        if self.num_cards <= action < self.num_actions:
            return ("bid", f"N{action - self.num_cards}")
        return None

    def belief_guide(self, state, player):
        """Each seat holds one card per trick and the rest of the deck (the face-up trump card among it) is not
        dealt; the player knows their own hand, the trump card and whose each played card was; a seat that did
        not follow suit held none of the suit led. Bids are legal whatever the cards. None before the trump
        card is turned (the walk looks ahead then)."""
        steps, k, n = deals.moves(state), self.num_players, len(self.suits)
        if len(steps) < 2 or len(steps) < 3 + k * steps[0][1]:
            return None
        hands_end = 2 + k * steps[0][1]
        dealt = [action for _, action in steps[2:hands_end]]
        holder = {c: i % k for i, c in enumerate(dealt)}
        holders = deals.Holders(range(self.num_cards), {**{p: steps[0][1] for p in range(k)},
                                                        "rest": self.num_cards - len(dealt)})
        for c in range(self.num_cards):
            holders.keep(c, [player]) if holder.get(c) == player else holders.drop(c, [player])
        holders.keep(steps[hands_end][1], ["rest"])  # the trump card, face up
        plays = [(actor, c) for actor, c in steps[hands_end + 1:] if c < self.num_cards]
        for seat, c in plays:
            holders.keep(c, [seat])
        holders.read_voids(plays, k, lambda c: c % n, lambda seat: [seat])

        def route(ctx, before, actor, action):
            if actor >= 0 or ctx["n"] < 2:
                return None
            return action, ([(ctx["n"] - 2) % k] if ctx["n"] < hands_end else ["rest"])
        return holders.guide(route)
