"""Blackjack: one player against the dealer; the dealer's first card (the hole card) stays face down."""
from games import cards
from games.base import Event, GameAdapter, only


class Blackjack(GameAdapter):
    """Deal order: player, player, dealer hole (hidden), dealer up; then the player's hits; then the dealer's draws.

    OpenSpiel's information state never shows the hole card, so neither do we.
    """

    name = "blackjack"
    belief_walk = True  # a few hidden cards or rolls: the walk is exact and cheap
    has_resampler = True

    def initial_context(self):
        return {"dealt": 0, "stood": False}

    def step(self, ctx, before, actor, action, after):
        if actor >= 0:
            ctx["stood"] = ctx["stood"] or action == 1
            return [Event(self.action_words(action, "play")[0], actor)]
        name = cards.suit_major(action)
        n = ctx["dealt"]
        ctx["dealt"] += 1
        if n == 2:
            return [Event("dealer", None, (name,), only())]
        if n == 3 or ctx["stood"]:
            return [Event("dealer", None, (name,))]
        return [Event("deal", 0, (name,))]

    def action_words(self, action, phase):
        return (("hit",), ("stand",))[action] if action in (0, 1) else None
