"""Kuhn poker: three cards J < Q < K, one dealt to each player, one betting round of pass/bet."""
from games.base import Event, GameAdapter, only

CARDS = ("RJ", "RQ", "RK")


class KuhnPoker(GameAdapter):
    """Deals are private to their recipient (player 0 first); bets are public."""

    name = "kuhn_poker"
    has_resampler = True
    uniform_exploitability = 0.4583  # OpenSpiel's exploitability of the uniform policy
    exploitability_every = 1  # a best response takes milliseconds
    enumerable = True

    def initial_context(self):
        return {"dealt": 0}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            seat = ctx["dealt"]
            ctx["dealt"] += 1
            return [Event("deal", seat, (CARDS[action],), only(seat))]
        return [Event(self.action_words(action, "play")[0], actor)]

    def action_words(self, action, phase):
        return (("pass",), ("bet",))[action] if action in (0, 1) else None
