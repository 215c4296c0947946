"""Liar's dice: each player rolls hidden dice, then players raise bids (count, face) until one calls 'liar'."""
from games.base import Event, GameAdapter, only


class LiarsDice(GameAdapter):
    """Rolls are private to the roller (player 0's dice first); bids and the liar call are public."""

    name = "liars_dice"
    belief_walk = True  # a few hidden cards or rolls: the walk is exact and cheap
    uniform_exploitability = 0.7807  # OpenSpiel's exploitability of the uniform policy (24576 information sets)

    def __init__(self, game, params):
        super().__init__(game, params)
        self.sides = int(game.get_parameters()["dice_sides"])
        self.dice = int(game.get_parameters()["numdice"])
        self.liar = self.num_actions - 1

    def initial_context(self):
        return {"rolled": 0}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            seat = ctx["rolled"] // self.dice
            ctx["rolled"] += 1
            return [Event("roll", seat, (f"N{action + 1}",), only(seat))]
        return [Event(self.action_words(action, "play")[0], actor, self.action_words(action, "play")[1:])]

    def action_words(self, action, phase):
        if action == self.liar:
            return ("liar",)
        if 0 <= action < self.liar:
            count, face = divmod(action, self.sides)
            return ("bid", f"N{count + 1}", f"N{face + 1}")
        return None
