"""The adapter interface every game implements: OpenSpiel rules plus who sees what, in words.

An adapter wraps one `pyspiel.Game`. Rules (turns, legal actions, chance, returns)
stay OpenSpiel's; the adapter adds the game's *view*: each step of a history
becomes a few `Event`s written in vocabulary words, each saying whose it is and
who sees its payload. The tokenizer turns events into token ids; nothing here
knows about ids or networks.
"""
from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import Any

import pyspiel

ALL = None  # `Event.visible_to` value meaning: every player sees the payload.
MASK = "?"  # the word a player sees in place of each payload word hidden from them
VIEW = "<view>"  # starts a player's part of the adapter's view (after their observation) and the rest (after hidden)


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One observable happening: `[seat] verb payload...`; players outside `visible_to` see `?` per payload word."""

    verb: str
    seat: int | None = None  # absolute player the event is about (actor or recipient); None for table events
    payload: tuple[str, ...] = ()
    visible_to: frozenset[int] | None = ALL  # players who see the payload; ALL = everyone
    known_to: frozenset[int] | None = ALL  # players who know the event happened at all; ALL = everyone

    def sees(self, player: int) -> bool:
        """Whether `player` sees this event's payload."""
        return self.visible_to is None or player in self.visible_to

    def knows(self, player: int) -> bool:
        """Whether `player` knows this event happened (else it is wholly hidden from them)."""
        return self.known_to is None or player in self.known_to


@functools.cache
def only(*players: int) -> frozenset[int]:
    """A `visible_to` set: just these players see the payload (one shared set per tuple of seats: the belief walk
    renders every candidate action's events)."""
    return frozenset(players)


class GameAdapter:
    """OpenSpiel game + its view as events. Subclasses fill in the class attributes and the view methods."""

    name: str = ""  # OpenSpiel short name
    default_params: dict[str, Any] = {}  # parameters that make the game playable by default
    words: tuple[str, ...] = ()  # vocabulary words this game needs beyond tokenizer.vocab's base words
    phases: tuple[str, ...] = ("play",)  # names of the phases whose actions are written differently
    has_resampler: bool = False  # OpenSpiel implements resample_from_infostate for this game
    # What is affordable on this game at its default parameters (a laptop's minutes at most):
    uniform_exploitability: float | None = None  # an exact best response is; then uniform random's exploitability
    exploitability_every: int = 0  # iterations between in-run exploitability measurements by default (0: never)
    enumerable: bool = False  # enumerating every deal is (the exact posterior over hidden cards, CFR+ to near-Nash)
    cpp_ismcts_fails: str = ""  # why OpenSpiel's C++ ISMCTSBot cannot play this game, where it cannot
    resampler_fails: str = ""  # why IS-MCTS cannot plan on OpenSpiel's resampler here, where it cannot
    belief_walk: bool = False  # games.belief's walk makes possible worlds here (by look-ahead in the small games,
    # by the adapter's guide in the others); False where neither works (the generic fallback's games)
    seen_names_action: bool = True  # a step a player sees whole tells them its action (False where words name
    # less than the action: ranks for card ids); the belief walk then need not try the others
    table_words: tuple[str, ...] = ()  # verbs of the view's table events (no seat) the model predicts at every
    # unrolled step (agent.model.losses' `table` term): public facts the legal actions hang on, kept in the latent
    stream_version: int = 0  # raised where the adapter changes the words it writes, so that a model trained on the
    # old words is refused (agent.agent.load_agent) instead of reading words it never saw
    seat_words: tuple[str, ...] = ()  # verbs of the view's seat events besides `hand` the model predicts per seat
    # at every unrolled step (the `facts` term): each seat's bid and tricks, what the score hangs on
    return_unit: float | None = None  # the return value heads count in (None: the game's largest |return|); set
    # where OpenSpiel's bound is far beyond what games score, since heads scaled to it learn next to nothing
    card_slots: bool = True  # with a view, the model keeps a latent slot per suited card (agent.model.cards); False
    # where the view's hands are not suited cards (go_fish's ranks)
    window: int = 0  # the networks read only this many of the observation's latest event tokens besides the view
    # (0: all): only where the view holds what play and the score depend on, so that the rest is recent context

    def __init__(self, game: pyspiel.Game, params: dict[str, Any]):
        self.game = game
        self.params = dict(params)
        self.num_players = game.num_players()
        self.num_actions = game.num_distinct_actions()
        self._initial = game.new_initial_state()  # cloned by new_initial_state
        if self.params != self.default_params and game.get_parameters() != pyspiel.load_game(
                game.get_type().short_name, self.default_params).get_parameters():
            # the facts measured at the default parameters do not carry over (3-player kuhn is another game)
            self.uniform_exploitability, self.exploitability_every, self.enumerable = None, 0, False

    # ----- rules: thin pass-throughs so callers need one object -----
    def new_initial_state(self) -> pyspiel.State:
        """A fresh game at its first (usually chance) node: a clone of one made once, since OpenSpiel makes some
        games' new states far slower than it clones them (gin_rummy) and the belief walk makes several per root."""
        return self._initial.clone()

    @staticmethod
    def current_player(state: pyspiel.State) -> int:
        """The player to act, or pyspiel's CHANCE / TERMINAL constants."""
        return state.current_player()

    @staticmethod
    def legal_actions(state: pyspiel.State) -> list[int]:
        """Legal action ids of the player to act (chance outcomes at chance nodes)."""
        return state.legal_actions()

    @staticmethod
    def chance_outcomes(state: pyspiel.State) -> list[tuple[int, float]]:
        """(outcome, probability) pairs at a chance node."""
        return state.chance_outcomes()

    @staticmethod
    def returns(state: pyspiel.State) -> list[float]:
        """Return of every player so far (final at terminal states)."""
        return state.returns()

    @staticmethod
    def rewards(state: pyspiel.State) -> list[float]:
        """Reward of every player for the last transition."""
        return state.rewards()

    # ----- the view: overridden per game -----
    def initial_context(self) -> dict:
        """Mutable bookkeeping the view carries along a history (deal counters, hands ...)."""
        return {}

    def step(self, ctx: dict, before: pyspiel.State, actor: int, action: int,
             after: pyspiel.State) -> list[Event]:
        """Events produced when `actor` (or chance, -1) takes `action` in `before`, giving `after`.

        A decision's first event is the action as the table sees it; any after it are what the action caused
        (a trick's taker, the answer to an ask, the cards a pass hands on): `Tokenizer.outcome` reads them apart.
        """
        raise NotImplementedError

    @property
    def has_view(self) -> bool:
        """Whether this game's adapter shows a view (overrides `view`)."""
        return type(self).view is not GameAdapter.view

    def view(self, ctx: dict) -> list[Event]:
        """What every seat holds now (hands, the card to match ...), recomputed at every state, as events whose
        visibility says who sees what: a player's seen part ends their observation, the rest their hidden words.

        It adds no information: it puts facts the streams spread over hundreds of tokens (deal + draws - plays)
        where a network reads them at once. Default: nothing.
        """
        return []

    def phase(self, state: pyspiel.State) -> str:
        """Which of `phases` the player to act is in; decides how actions are written."""
        return self.phases[0]

    def action_words(self, action: int, phase: str) -> tuple[str, ...] | None:
        """The words of `action` when taken in `phase`; None if no such action exists in that phase."""
        raise NotImplementedError

    # ----- beliefs -----
    def belief_guide(self, state: pyspiel.State, player: int):
        """A games.deals.Guide: where the cards that move through hidden steps may be, from what `player` knows
        at `state`, so the belief walk (games.belief) never needs to look ahead; None (the default) where the
        walk's look-ahead over the history is cheap enough (few hidden steps)."""
        return None

    # ----- what a human reads (scripts.play): overridden where OpenSpiel's text is not the table's -----
    def spoken(self, state: pyspiel.State, action: int) -> str:
        """`action` of the player to move in `state` as a player at the table says it (default: OpenSpiel's
        text for it; poker says check where nothing is owed, where OpenSpiel says Call or Pass)."""
        return state.action_to_string(state.current_player(), action)

    def stakes(self, state: pyspiel.State) -> str | None:
        """What is at stake on the table now, in a few words (the pot in poker); None where the cards and the
        returns say it all."""
        return None

    # ----- derived helpers -----
    def all_action_words(self) -> Iterable[tuple[str, tuple[str, ...], int]]:
        """Every (phase, words, action) this game can write; the tokenizer's decode table."""
        for phase in self.phases:
            for action in range(self.num_actions):
                words = self.action_words(action, phase)
                if words is not None:
                    yield phase, words, action

    def resample_world(self, state: pyspiel.State, player: int, rng) -> pyspiel.State:
        """A uniform random full state in `player`'s information set (OpenSpiel's resample_from_infostate)."""
        if not self.has_resampler:
            from games import adapter_class, supported

            have = [name for name in supported() if adapter_class(name).has_resampler]
            raise NotImplementedError(
                f"OpenSpiel has no resample_from_infostate for {self.name}; games that have one: {', '.join(have)}")
        return state.resample_from_infostate(player, rng.random)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name}, {self.params})"


def render(events: list[Event], player: int, num_players: int) -> tuple[list[str], list[str]]:
    """`player`'s words for `events`: (observation words, hidden words). The tokenizer does the same with ids."""
    obs, hidden = [], []
    for ev in events:
        head = ([seat_word((ev.seat - player) % num_players)] if ev.seat is not None else []) + [ev.verb]
        if not ev.knows(player):
            hidden += head + list(ev.payload)
        elif ev.sees(player):
            obs += head + list(ev.payload)
        else:
            obs += head + [MASK] * len(ev.payload)
            hidden += ev.payload
    return obs, hidden


def render_view(adapter: GameAdapter, ctx: dict, player: int) -> tuple[list[str], list[str]]:
    """`player`'s words for the adapter's view at `ctx`: (seen part, unseen part), each led by `<view>` unless empty.

    The events are taken seat by seat from `player` on (table events last), so every player reads their own
    holding first and the others' in the order they act after them.
    """
    n = adapter.num_players
    events = sorted(adapter.view(ctx), key=lambda ev: n if ev.seat is None else (ev.seat - player) % n)
    seen, unseen = render(events, player, n)
    return ([VIEW] + seen if seen else []), ([VIEW] + unseen if unseen else [])


def seat_word(offset: int) -> str:
    """The word for the seat `offset` places after the observer: 'me', 'p+1', ..."""
    return "me" if offset == 0 else f"p+{offset}"
