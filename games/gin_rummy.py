"""Gin rummy: two players draw (upcard or stock) and discard to form melds; a player with little deadwood knocks,
lays down melds, and the opponent lays off cards on them."""
import pyspiel

from games import deals
from games.base import Event, GameAdapter, only
from games.deadlines import Deadlines, Limit

Phase = pyspiel.gin_rummy.Phase
DRAW_UPCARD, DRAW_STOCK, PASS, KNOCK = 52, 53, 54, 55


def card_name(text: str) -> str:
    """OpenSpiel's card string, e.g. 'Qc', -> shared card name 'CQ'."""
    return text[1].upper() + text[0]


class GinRummy(GameAdapter):
    """Dealt and stock-drawn cards are seen by their recipient only (the other player sees that a card was drawn).

    The first upcard, the upcard taken, discards, knocks, melds laid down and layoffs are public.
    OpenSpiel's observation never shows the knocker's unmelded cards, so neither do we.
    """

    name = "gin_rummy"
    words = ("layoff",)
    phases = ("play", "layoff")  # a card action discards a card, except in the layoff phase
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals and draws

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.hand_size = int(p["hand_size"])
        self.num_ranks = int(p["num_ranks"])
        num_cards = self.num_cards = int(p["num_ranks"]) * int(p["num_suits"])
        state = game.new_initial_state()
        self.cards = {a: card_name(state.action_to_string(0, a)[-2:]) for a in range(num_cards)}
        self.melds = {}
        for a in range(KNOCK + 1, self.num_actions):
            text = state.action_to_string(0, a).split()[-1]
            self.melds[a] = tuple(card_name(text[i:i + 2]) for i in range(0, len(text), 2))

    def initial_context(self):
        return {"dealt": 0, "drawer": -1}

    def step(self, ctx, before, actor, action, after):
        card = self.cards.get(action)
        if actor < 0:
            n = ctx["dealt"]
            ctx["dealt"] = n + 1
            if n == 2 * self.hand_size:
                return [Event("reveal", None, (card,))]  # the first upcard
            seat = n // self.hand_size if n < 2 * self.hand_size else ctx["drawer"]
            return [Event("deal", seat, (card,), only(seat))]
        phase = before.current_phase()
        if action == DRAW_UPCARD:
            return [Event("take", actor, (self.cards[before.upcard()],))]
        if action == DRAW_STOCK:
            ctx["drawer"] = actor
            return [Event("draw", actor)]
        if action == KNOCK and phase == Phase.WALL:  # knocking at the wall takes the upcard
            return [Event("knock", actor), Event("take", actor, (self.cards[before.upcard()],))]
        words = self.action_words(action, "layoff" if phase == Phase.LAYOFF else "play")
        return [Event(words[0], actor, words[1:])]

    def phase(self, state):
        return "layoff" if state.current_phase() == Phase.LAYOFF else "play"

    def action_words(self, action, phase):
        if action in self.cards:
            return ("layoff" if phase == "layoff" else "discard", self.cards[action])
        if action in self.melds:
            return ("meld",) + self.melds[action]
        return {DRAW_UPCARD: ("take",), DRAW_STOCK: ("draw",), PASS: ("pass",), KNOCK: ("knock",)}.get(action)

    def value(self, card: int) -> int:
        """A card's points as deadwood: ace 1, number cards their number, faces 10."""
        return min(card % self.num_ranks + 1, 10)

    def belief_guide(self, state, player):
        """Where each card may be, places in time order: those the player knows (their deal and draws, the first
        upcard), the opponent's deal, then each of their stock draws, the stock. A card the opponent discarded,
        melded or laid off, unless they took it from the pile, was dealt to them or drawn before they played it;
        a card the player never saw may be anywhere from the opponent's deal on. Discarding is legal whatever
        the hand; knocking is not: once the opponent has knocked and laid their melds, the cards they hold
        unmelded total at most the knock card (OpenSpiel's KnockLegalActions), a limit on the cards the player
        never saw. None before the first upcard."""
        steps, hs, me = deals.moves(state), self.hand_size, player
        if len(steps) <= 2 * hs:
            return None
        known, theirs, played, from_pile, knocker = set(), [], {}, set(), None  # from_pile: taken, still held
        replay, dealt, drawer = self.new_initial_state(), 0, None
        for i, (actor, action) in enumerate(steps):
            if actor < 0:
                seat = dealt // hs if dealt < 2 * hs else (None if dealt == 2 * hs else drawer)
                dealt += 1
                if seat is None or seat == me:
                    known.add(action)
                else:
                    theirs += [i] if dealt > 2 * hs else []
            elif actor != me:
                phase = replay.current_phase()
                if action == DRAW_UPCARD or (action == KNOCK and phase == Phase.WALL):
                    from_pile.add(replay.upcard())
                knocker = actor if action == KNOCK else knocker
                cards = [action] if action < self.num_cards else [
                    c for c, name in self.cards.items() if name in self.melds.get(action, ())]
                for c in cards:  # where it came from is hidden, unless it was taken from the pile
                    if c in from_pile:
                        from_pile.discard(c)
                    else:
                        played.setdefault(c, len(theirs))
            drawer = actor if action == DRAW_STOCK else drawer
            replay.apply_action(action)
        places = ["known", "their deal"] + theirs + ["stock"]
        capacity = dict.fromkeys(places, 1)
        capacity.update({"known": len(known), "their deal": hs})
        capacity["stock"] = self.num_cards - sum(capacity.values()) + 1
        allowed = {c: ["known"] if c in known else places[1:] for c in range(self.num_cards)}
        for c, k in played.items():
            allowed[c] = places[1:2 + k]  # dealt to them, or drawn before they played it
        limit = None
        if knocker is not None and state.current_phase() == Phase.LAYOFF:
            held = sum(self.value(c) for c in from_pile)
            never_seen = {c: self.value(c) for c in range(self.num_cards) if c not in known and c not in played}
            limit = Limit(never_seen, frozenset(places[1:-1]), state.knock_card() - held)

        def route(ctx, before, actor, action):
            n = ctx["dealt"]
            if actor >= 0 or n == 2 * hs or (n // hs if n < 2 * hs else ctx["drawer"]) == me:
                return None
            return action, (["their deal"] if n < 2 * hs else [len(before.history())])
        return deals.Guide(Deadlines.of(capacity, allowed, limit), route)
