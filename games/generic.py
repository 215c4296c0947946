"""Fallback adapter for any sequential OpenSpiel game with an observation or information-state tensor.

Each player's view of a step is the change in their own tensor, written as
`see idx val idx val ...` (indices and values as number words), known only to
them and said only when something changed; their own actions they see as `act digits`. Chance outcomes and other
players' actions are known to nobody, so they form the hidden remainder.
"""
import numpy as np
import pyspiel

from games.base import Event, GameAdapter, only

BASE = 100  # numbers are written in base-100 digits N0..N99


def digits(value: int, width: int) -> tuple[str, ...]:
    """`value` as `width` base-100 number words, most significant first."""
    out = []
    for _ in range(width):
        value, d = divmod(value, BASE)
        out.append(f"N{d}")
    return tuple(reversed(out))


def width_for(size: int) -> int:
    """How many base-100 digits it takes to write every number below `size`."""
    w = 1
    while BASE ** w < size:
        w += 1
    return w


class GenericGame(GameAdapter):
    """Tensor-diff events for games without a dedicated adapter."""

    name = "generic"
    words = ("see", "act", "chance", "neg", "frac")

    def __init__(self, game, params):
        super().__init__(game, params)
        kind = game.get_type()
        self.name = kind.short_name
        if kind.dynamics != pyspiel.GameType.Dynamics.SEQUENTIAL:
            raise ValueError(f"{self.name} is not a sequential game; convert it first "
                             f"(pyspiel.convert_to_turn_based) or pick a supported card game")
        if kind.provides_observation_tensor:
            self._tensor = lambda s, p: s.observation_tensor(p)
            size = game.observation_tensor_size()
        elif kind.provides_information_state_tensor:
            self._tensor = lambda s, p: s.information_state_tensor(p)
            size = game.information_state_tensor_size()
        else:
            raise ValueError(f"{self.name} has neither an observation nor an information-state tensor, "
                             "so the generic fallback cannot tokenize it")
        self.index_width = width_for(size)
        self.action_width = width_for(max(self.num_actions, game.max_chance_outcomes(), 1))

    def initial_context(self):
        state = self.game.new_initial_state()
        return {"tensors": tuple(np.asarray(self._tensor(state, p)) for p in range(self.num_players))}

    def _value_words(self, v: float) -> tuple[str, ...]:
        words = ("neg",) if v < 0 else ()
        whole = int(abs(v))
        words += (f"N{min(whole, BASE - 1)}",)
        frac = int(round((abs(v) - whole) * BASE)) % BASE
        return words + (("frac", f"N{frac}") if frac else ())

    def step(self, ctx, before, actor, action, after):
        events = []
        if actor < 0:
            events.append(Event("chance", None, digits(action, self.action_width), only(), only()))
        else:
            events.append(Event("act", actor, digits(action, self.action_width), only(actor), only(actor)))
        tensors = []
        for p, old in enumerate(ctx["tensors"]):
            new = np.asarray(self._tensor(after, p)) if not after.is_terminal() else old
            tensors.append(new)
            changed = np.flatnonzero(new != old)
            payload = tuple(w for i in changed for w in digits(int(i), self.index_width) + self._value_words(new[i]))
            if payload:  # an unchanged tensor says nothing, not even that time passed
                events.append(Event("see", p, payload, only(p), only(p)))
        ctx["tensors"] = tuple(tensors)
        return events

    def action_words(self, action, phase):
        return ("act",) + digits(action, self.action_width) if 0 <= action < self.num_actions else None
