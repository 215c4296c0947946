"""Kuhn poker: N + 1 cards for N players (J < Q < K with two, then A; lower ranks below J from four players on),
one dealt to each player, one betting round of pass/bet."""
from games.base import Event, GameAdapter, only
from games.cards import RANK_WORDS


def card(index: int, players: int) -> str:
    """OpenSpiel's kuhn card `index` (0 the lowest of players + 1) -> its rank word."""
    first = min(RANK_WORDS.index("RJ"), len(RANK_WORDS) - (players + 1))
    return RANK_WORDS[first + index]


class KuhnPoker(GameAdapter):
    """Deals are private to their recipient (player 0 first); bets are public."""

    name = "kuhn_poker"
    belief_walk = True  # a few hidden cards or rolls: the walk is exact and cheap
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
            return [Event("deal", seat, (card(action, self.num_players),), only(seat))]
        return [Event(self.action_words(action, "play")[0], actor)]

    def action_words(self, action, phase):
        return (("pass",), ("bet",))[action] if action in (0, 1) else None

    def spoken(self, state, action):
        """Pass is a check, and a bet a bet, until someone bets; after that they are a fold and a call."""
        facing = 1 in state.history()[self.num_players:]  # a bet stands once anyone has made one
        return (("check", "bet"), ("fold", "call"))[facing][action]

    def stakes(self, state):
        """The pot: one ante from each player and one chip per bet or call; None once the game is over (the
        returns say who took what)."""
        return None if state.is_terminal() else f"pot {self.num_players + sum(state.history()[self.num_players:])}"
