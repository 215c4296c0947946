"""Go fish: ask another player for a rank you hold; they hand over all of it, or you fish from the pool."""
from games import cards
from games.base import Event, GameAdapter, only
from games.deals import Guide
from games.go_fish_belief import DealBelief, DealFacts

# OpenSpiel 2.0.2's information state prints every draw from the pool to the other players
# ("1 asked -3 for 9 recieved 1"), so drawn ranks are public here. False gives the usual
# go fish (a draw is seen by the drawer only, unless it is the rank just asked for).
PUBLIC_DRAWS = True


class GoFish(GameAdapter):
    """Dealt cards are seen by their owner only (player 0's hand first); asks, how many cards the asked player
    hands over, draws from the pool and books ('meld') are public, except a book completed during the deal.
    """

    name = "go_fish"
    words = ("books",)
    belief_walk = True  # a guide keeps the walk's choices to possible deals (only the deal is hidden)
    card_slots = False  # the view's hands are ranks, not suited cards
    window = 48  # the view holds the hands and the books: the rest is context (the last few turns' asks)

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.ranks = int(p["ranks"])
        initial = int(p["initial_cards"])
        self.hand_size = initial if initial >= 0 else (7 if self.num_players == 2 else 5)
        self.phases = tuple(f"seat{s}" for s in range(self.num_players))  # asks name the target by relative seat

    def rank(self, r: int) -> str:
        """Rank index (OpenSpiel's letter 'a' + r) -> rank word: R2, R3, ... RA."""
        return cards.RANK_WORDS[r] if self.ranks <= len(cards.RANK_WORDS) else f"N{r}"

    def initial_context(self):
        return {"asked": -1, "hands": ((0,) * self.ranks,) * self.num_players, "books": (0,) * self.num_players}

    def step(self, ctx, before, actor, action, after):
        if actor >= 0:
            target, r = divmod(action, self.ranks)
            ctx["asked"] = r
            received = before.player_counts(target) - after.player_counts(target)
            self._move(ctx, target, r, -received)
            return [Event("ask", actor, (self.rank(r),)), Event("give", target, (f"N{received}",))
                    ] + self._book(ctx, actor, r, received, before, after, public=True)
        phase = str(before).split("\n", 2)
        if phase[0] == "Deal":
            seat = next(p for p in range(self.num_players) if before.player_counts(p) != self.hand_size)
            return [Event("deal", seat, (self.rank(action),), only(seat))
                    ] + self._book(ctx, seat, action, 1, before, after)
        seat = int(phase[1])
        public = PUBLIC_DRAWS or (phase[0] == "Fish" and action == ctx["asked"])
        return [Event("draw", seat, (self.rank(action),), None if public else only(seat))
                ] + self._book(ctx, seat, action, 1, before, after, public)

    def _move(self, ctx, seat, r, n):
        """`n` cards of rank `r` join (n < 0: leave) `seat`'s hand in the view's bookkeeping."""
        hands = [list(h) for h in ctx["hands"]]
        hands[seat][r] += n
        ctx["hands"] = tuple(tuple(h) for h in hands)

    def _book(self, ctx, seat, r, gained, before, after, public=False):
        """`seat` gains `gained` cards of rank `r`; a 'meld' event if that completed its book (the four leave the
        hand)."""
        self._move(ctx, seat, r, gained)
        if after.player_books()[seat] == before.player_books()[seat]:
            return []
        self._move(ctx, seat, r, -ctx["hands"][seat][r])
        ctx["books"] = tuple(k + (p == seat) for p, k in enumerate(ctx["books"]))
        return [Event("meld", seat, (self.rank(r),), None if public else only(seat))]

    def view(self, ctx):
        """Every seat's `hand RANKS...` (a rank once per card held; its owner's alone: the others' end the hidden
        words, and how many cards each holds is public) and `books Nk` of each seat that has any (the score), so
        that the networks can read a window of the history beside the view."""
        events = [Event("hand", p, tuple(self.rank(r) for r, k in enumerate(counts) for _ in range(k)), only(p))
                  for p, counts in enumerate(ctx["hands"])]
        return events + [Event("books", p, (f"N{k}",)) for p, k in enumerate(ctx["books"]) if k]

    def phase(self, state):
        return f"seat{state.current_player()}"

    def action_words(self, action, phase):
        seat = int(phase[4:])
        target, r = divmod(action, self.ranks)
        if target == seat or not 0 <= action < self.num_players * self.ranks:
            return None
        return ("ask", f"p+{(target - seat) % self.num_players}", self.rank(r))

    def belief_guide(self, state, player):
        """The deal, the only hidden part: which seat each deal step went to and where it showed a book are
        public, the player knows their own cards, and the public history after the deal bounds how many of each
        rank each seat was dealt (games.go_fish_belief). None before the deal is complete (the walk looks ahead
        then)."""
        facts = DealFacts.read(state, player, self.hand_size)
        if facts is None:
            return None
        deal_end = len(facts.seats)

        def route(ctx, before, actor, action):
            if actor >= 0 or before.move_number() >= deal_end:
                return None
            return action, [facts.seats[before.move_number()]]
        return Guide(DealBelief.start(facts), route)
