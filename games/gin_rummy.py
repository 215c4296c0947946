"""Gin rummy: two players draw (upcard or stock) and discard to form melds; a player with little deadwood knocks,
lays down melds, and the opponent lays off cards on them."""
import pyspiel

from games.base import Event, GameAdapter, only

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

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.hand_size = int(p["hand_size"])
        num_cards = int(p["num_ranks"]) * int(p["num_suits"])
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
