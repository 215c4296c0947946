"""Leduc poker: six cards (J, Q, K in two suits), a private card each, a public board card, two betting rounds."""
from games import cards
from games.base import Event, GameAdapter, only


def card(index: int) -> str:
    """OpenSpiel's leduc card index -> shared card name (rank = index // 2)."""
    return cards.rank_major(index, suits="SH", ranks="JQK")


class LeducPoker(GameAdapter):
    """Private deals go to player 0 then player 1; the third chance card is the public board card."""

    name = "leduc_poker"
    belief_walk = True  # a few hidden cards or rolls: the walk is exact and cheap
    has_resampler = True
    uniform_exploitability = 2.3736  # OpenSpiel's exploitability of the uniform policy
    exploitability_every = 25  # searching its 936 information sets takes seconds
    enumerable = True

    def initial_context(self):
        return {"dealt": 0}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            seat = ctx["dealt"]
            ctx["dealt"] += 1
            if seat < self.num_players:
                return [Event("deal", seat, (card(action),), only(seat))]
            return [Event("board", None, (card(action),))]
        return [Event(self.action_words(action, "play")[0], actor)]

    def action_words(self, action, phase):
        return (("fold",), ("call",), ("raise",))[action] if 0 <= action < 3 else None

    def spoken(self, state, action):
        """OpenSpiel's Call is a check and its Raise a bet where nothing is owed, which is where it allows no
        Fold."""
        owed = 0 in state.legal_actions()
        return (("fold", "call", "raise") if owed else ("fold", "check", "bet"))[action]

    def stakes(self, state):
        """The pot, as OpenSpiel's state shows it; None once the game is over (its pot reads 0 then, and the
        returns say who took what)."""
        if state.is_terminal():
            return None
        return next(line for line in str(state).splitlines() if line.startswith("Pot: ")).replace("Pot: ", "pot ")
