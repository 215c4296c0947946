"""Fallback adapter for any sequential OpenSpiel game with an observation or information-state tensor, or else
with only strings (cribbage, tarok): a card game OpenSpiel adds loads without new code.

Each player's view of a step is the change in their own tensor, written as
`see idx val idx val ...` (indices and values as number words), known only to
them and said only when something changed; their own actions they see as `act digits`. Chance outcomes and other
players' actions are known to nobody, so they form the hidden remainder. A game with no tensor is read from its
observation string (else its information-state string): each step, the player sees how it changed, line by line
(`see line NN NN [cut NN NN] c:X c:Y ...`: the line's number, how many characters to drop from its end where it
did not just grow, the characters that follow, one word per printable ASCII character), so their events give
back every string they saw: their action-observation history, which is their information. The adapter's view
shows each string whole (`string c:X ... line c:Z ...`), and the networks read a window of the events beside it.
"""
import numpy as np
import pyspiel

from games.base import Event, GameAdapter, only

BASE = 100  # numbers are written in base-100 digits N0..N99
CHARS = tuple(chr(c) for c in range(32, 127)) + ("\t",)  # what the string reading can write, a word each


def char_word(c: str) -> str:
    """The word for character `c` of an OpenSpiel string."""
    return "c:" + {"\t": "\\t", " ": "space"}.get(c, c)


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
    words = ("see", "act", "chance", "neg", "frac", "string", "line", "lines", "cut") + tuple(
        char_word(c) for c in CHARS)

    def __init__(self, game, params):
        super().__init__(game, params)
        kind = game.get_type()
        self.name = kind.short_name
        if kind.chance_mode == pyspiel.GameType.ChanceMode.SAMPLED_STOCHASTIC:
            raise ValueError(f"{self.name}'s chance is sampled (OpenSpiel lists no chance outcomes to play or "
                             "search over); the fallback needs games with explicit chance outcomes")
        if kind.dynamics != pyspiel.GameType.Dynamics.SEQUENTIAL:
            raise ValueError(f"{self.name} is not a sequential game; convert it first "
                             f"(pyspiel.convert_to_turn_based) or pick a supported card game")
        self._string = None
        if kind.provides_observation_tensor:
            self._tensor = lambda s, p: s.observation_tensor(p)
            size = game.observation_tensor_size()
        elif kind.provides_information_state_tensor:
            self._tensor = lambda s, p: s.information_state_tensor(p)
            size = game.information_state_tensor_size()
        elif kind.provides_observation_string:  # short where the information-state string holds the history
            self._tensor, self._string, size = None, lambda s, p: s.observation_string(p), 1
        elif kind.provides_information_state_string:
            self._tensor, self._string, size = None, lambda s, p: s.information_state_string(p), 1
        else:
            raise ValueError(f"{self.name} has no observation or information-state tensor or string, "
                             "so the generic fallback cannot tokenize it")
        if self._string is not None:
            self.window = 64  # the view holds the string now; the events before the window are its past
        self.index_width = width_for(size)
        self.action_width = width_for(max(self.num_actions, game.max_chance_outcomes(), 1))

    def initial_context(self):
        state = self.game.new_initial_state()
        if self._string is not None:
            return {"strings": tuple(self._string(state, p) for p in range(self.num_players))}
        return {"tensors": tuple(np.asarray(self._tensor(state, p)) for p in range(self.num_players))}

    @property
    def has_view(self) -> bool:
        """Only games read from strings show a view."""
        return self._string is not None

    def view(self, ctx):
        """Games read from strings: every player's string now (`line` between lines), seen by that player alone;
        a game read from tensors shows none."""
        if self._string is None:
            return []
        return [Event("string", p, self._words(text), only(p), only(p)) for p, text in enumerate(ctx["strings"])]

    def _string_change(self, old: str, new: str) -> tuple[str, ...]:
        """The words that turn `old` into `new`, line by line: for each line that changed, `line NN NN` (its
        number), `cut NN NN` where it does not just extend the old line (how many characters to drop from its
        end), and the characters that follow; `lines NN NN` where the number of lines changed."""
        old_lines, new_lines = old.split("\n"), new.split("\n")
        out = ("lines",) + self._count(len(new_lines)) if len(new_lines) != len(old_lines) else ()
        for i, line in enumerate(new_lines):
            before = old_lines[i] if i < len(old_lines) else ""
            if line != before:
                keep = next((k for k, (a, b) in enumerate(zip(before, line)) if a != b), min(len(before), len(line)))
                cut = len(before) - keep
                out += ("line",) + self._count(i) + (("cut",) + self._count(cut) if cut else ())
                out += self._words(line[keep:])
        return out

    def _count(self, n: int) -> tuple[str, ...]:
        """A line number or a cut as two base-100 digits; ValueError past 9,999."""
        if n >= BASE ** 2:
            raise ValueError(f"{self.name}: its strings need a count of {n}; the string reading writes at most 9999")
        return digits(n, 2)

    def _words(self, text: str) -> tuple[str, ...]:
        """A string as words: its characters, `line` between lines; ValueError on a character with no word."""
        bad = sorted({c for c in text if c not in CHARS and c != "\n"})
        if bad:
            raise ValueError(f"{self.name}'s strings have characters {bad} that the string reading cannot write "
                             "(printable ASCII and tab)")
        return tuple("line" if c == "\n" else char_word(c) for c in text.rstrip("\n"))

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
        if self._string is not None:  # each player sees how their string changed; the view shows it whole
            strings = []
            for p, old in enumerate(ctx["strings"]):
                new = self._string(after, p) if not after.is_terminal() else old
                strings.append(new)
                payload = self._string_change(old, new)
                if payload:
                    events.append(Event("see", p, payload, only(p), only(p)))
            ctx["strings"] = tuple(strings)
            return events
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
