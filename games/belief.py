"""Possible worlds by construction: a walk over the real history that offers, word by word, only the hidden words
some history the player cannot tell from the real one admits.

A player's hidden words fill, in order, the payloads of the steps whose payload they did not see, then the
unseen part of the adapter's view (games.worlds). The walk replays the real history. At a step the player saw
whole, the world takes the real action. At a step with unseen words, the candidates are the actions at the
world's state that look the same to the player (the same seen words) and after which the rest of the real
history can still be replayed as the player saw it (a depth-first look-ahead); the words the candidates
differ by are the choice a belief sampler makes, one word at a time (`allowed`, then `feed`), and the words
every remaining candidate shares are forced. Where actions look alike to the player to the last word, the walk
takes the lowest action id, never preferring the real one (that would leak what the player cannot know). When
the walk ends, its actions are a real history (`world`).

Which candidates can complete the history is decided one of two ways:
- where the adapter gives a guide (`GameAdapter.belief_guide`, games.deals), by the allocation of the cards
  to places staying feasible with the candidate's card kept to its places: exact, and cheap in 52-card games;
- otherwise by a depth-first look-ahead over the rest of the history, exact and cheap where hidden steps are
  few (kuhn_poker, leduc_poker, liars_dice, blackjack), refused (`Unsupported`) past its budget.
Games that deal silently, a card per step that shows nothing until the hands are complete (crazy_eights, hearts,
bridge, euchre, oh_hell, skat: no one sees the deal order), need a guide that names the set (a hand, the skat)
each silent step's card joins (`Guide.slots`), the hidden sets the step that ends the silence shows, in the
order its words show them (`Guide.sets`), and the allocation places each set fills (`Guide.groups`: a hand the
allocation splits by what later became of its cards, hearts' passed three and kept ten, is one set over those
places). The walk has the sampler write each hidden set in the game's order of cards, a card after the last,
only where the rest can still be placed: choosing a card leaves the cards it skips out of the set, and a set
once complete takes no other card. Then it deals the written cards to the silent steps, and to the steps of a
set no words show (the player's own hand, the skat) the cards the allocation leaves only there. Without a guide
such games are refused (`Unsupported`): their choices are sets, not steps. A silent step the guide gives no slot
is one whose action later steps pin (dou_dizhu's face-up position, which the deal step showing the face-up card
reveals): it is replayed like a step seen whole, and refused unless the guide's route keeps one action.
"""
from __future__ import annotations

import copy
import dataclasses
import functools

import pyspiel

from games import deals
from games.allocation import Allocation
from games.base import GameAdapter, render, render_view

LOOK_AHEAD = 20_000  # most states a feasibility look-ahead visits before it gives up (Unsupported)
_SEEN: dict = {}  # (adapter, player, a history's first steps) -> (history, its steps, state and view context)
_KEY_STEPS = 16  # steps of a history that key it: a deal's first cards tell most games apart
_SEEN_MAX = 1024  # histories kept: more than a self-play batch's games times their players (euchre: 80 x 4)


class Unsupported(ValueError):
    """The walk cannot offer exact choices in this game (silent hidden steps, or a look-ahead too large)."""


class DeadEnd(RuntimeError):
    """A word was fed that no candidate carries (a caller's error: feed only `allowed` words)."""


@dataclasses.dataclass
class _Step:
    """One step of the real history as the player saw it."""

    actor: int
    action: int
    seen: list[str]
    unseen: list[str]
    silent: bool = False  # a chance step that shows the player nothing (its card shows later, in a set)


@dataclasses.dataclass
class _Candidate:
    """An action the world may take at the current step: its unseen words, and the state, view context and
    allocation (with a guide) after it. The allocation is made only when asked for (`moved`: the card the action
    moves and its places), since most candidates are never taken."""

    action: int
    words: list[str]
    after: pyspiel.State | _Child
    ctx: dict
    before: Allocation | None
    moved: tuple | None = None

    @property
    def alloc(self) -> Allocation | None:
        if self.moved is not None:
            self.before, self.moved = self.before.restrict(*self.moved), None
        return self.before


class _Child:
    """The state after `action` at `before`, made only when first read: a step's candidates are many (the stock's
    unseen cards at a draw) and few are taken, and most adapters' events for a chance step never read the state
    after it. Reads of its attributes go to the state; `state()` gives the state itself."""

    __slots__ = ("_before", "_action", "_state")

    def __init__(self, before: pyspiel.State, action: int):
        self._before, self._action, self._state = before, action, None

    def state(self) -> pyspiel.State:
        """The state itself, made on the first call."""
        if self._state is None:
            self._state = self._before.child(self._action)
        return self._state

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not the state's: copy's and pickle's probes, and this class's unset slots
            raise AttributeError(name)
        return getattr(self.state(), name)


def _real(state: pyspiel.State | _Child) -> pyspiel.State:
    """The state itself, where `state` may be a lazy child."""
    return state.state() if isinstance(state, _Child) else state


def _options(state: pyspiel.State) -> list[int]:
    return [o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()


def _passed(alloc: Allocation, cards: list, places: list) -> Allocation:
    """`alloc` with each of `cards` kept to `places` in turn (passed over: not in the set being written)."""
    for card in cards:
        alloc = alloc.restrict(card, places)
    return alloc


class Walk:
    """One possible world of `state` for `player`, built step by step as its hidden words are chosen."""

    def __init__(self, adapter: GameAdapter, state: pyspiel.State, player: int, budget: int = LOOK_AHEAD):
        self.adapter, self.player, self.budget = adapter, player, budget
        self.steps = _steps(adapter, state, player)
        self.guide = adapter.belief_guide(state, player)
        self.alloc = self.guide.allocation if self.guide else None  # as the cards placed so far leave it
        if any(step.silent for step in self.steps) and self.guide is None:
            raise Unsupported(f"{adapter.name} has steps that show nothing to the player (a silent deal): its "
                              "hidden choices are sets, not steps, and its adapter gives no guide to them")
        self._sets: list[tuple] = []  # the hidden sets left to write in a silent run: (set, size)
        self._run_end = 0  # the step that ends the silent run being written
        self._written: list = []  # the cards written so far in the current silent run
        self._options: list[tuple] = []  # (card, what makes the allocation before it joins) for the set's next card
        self.world_state, self.ctx = adapter.new_initial_state(), adapter.initial_context()
        self._own = True  # whether world_state is this walk's alone (then a step is applied to it in place)
        self._shared = False  # whether the pending candidates (and the states they made) are shared with a copy
        self.actions: list[int] = []
        self.words: list[str] = []  # the hidden words so far
        self.t = 0  # the next step of the real history to replay
        self._candidates: list[_Candidate] = []
        self._k = 0  # words of the current step fed so far
        self._tail: list[str] | None = None  # the unseen view, once every step is replayed
        self.forced: list[str] = []  # words that follow with no choice, not yet taken by `take_forced`
        self._advance()

    def copy(self) -> Walk:
        """An independent walk from here. The states are shared: neither walk owns its world's state any more, so
        each clones it before it next applies a step in place."""
        other = copy.copy(self)
        self._own = other._own = False
        self._shared = other._shared = True
        other.actions, other.words, other.forced = list(self.actions), list(self.words), list(self.forced)
        other._candidates = list(self._candidates)
        other._sets, other._written, other._options = list(self._sets), list(self._written), list(self._options)
        return other

    # ----- what a sampler asks -----
    @property
    def done(self) -> bool:
        """Whether every hidden word is written (the world is complete)."""
        return self._tail is not None and not self.forced

    def allowed(self) -> list[str]:
        """The distinct next words the remaining candidates carry (at least two: one alone is forced)."""
        if self.forced or self._tail is not None:
            raise RuntimeError("no choice is pending: take the forced words first")
        if self._sets:
            return sorted(self.guide.word(card) for card, _ in self._options)
        return sorted({c.words[self._k] for c in self._candidates})

    def feed(self, word: str) -> None:
        """Choose `word` (one of `allowed()`); the words that then follow with no choice go to `forced`."""
        if self._tail is not None:
            raise RuntimeError("no choice is pending: every hidden word is written")
        if self._sets:
            chosen = [o for o in self._options if self.guide.word(o[0]) == word]
            if not chosen:
                raise DeadEnd(f"{word!r} is not among the allowed words {self.allowed()}")
            self.words.append(word)
            self._write(*chosen[0])
            return
        kept = [c for c in self._candidates if c.words[self._k] == word]
        if not kept:
            raise DeadEnd(f"{word!r} is not among the allowed words {self.allowed()}")
        self.words.append(word)
        self._candidates, self._k = kept, self._k + 1
        self._settle()

    def take_forced(self) -> list[str]:
        """The forced words pending (they are part of `words` already), emptied."""
        out, self.forced = self.forced, []
        return out

    def world(self) -> pyspiel.State:
        """The world the walk built: a real state reached by legal actions, which `player` cannot tell apart from
        the real one."""
        if not self.done:
            raise RuntimeError("the walk is not finished")
        return self.world_state.clone()

    # ----- the replay -----
    def _force(self, words: list[str]) -> None:
        self.words += words
        self.forced += words

    def _settle(self) -> None:
        """After a choice: force the words every candidate shares; apply the step once one candidate is left (or
        all left are alike to the end)."""
        while self._candidates:
            first = self._candidates[0].words
            if self._k == len(first):  # the words are complete: every candidate left is the same fill
                self._apply(min(self._candidates, key=lambda c: c.action))  # not the truth's, by design
                self._advance()
                return
            nxt = {c.words[self._k] for c in self._candidates}
            if len(nxt) > 1:
                return
            self._force([first[self._k]])
            self._k += 1

    def _apply(self, c: _Candidate, private: bool = False) -> None:
        """Take candidate `c`: its action applied to the world (in place where the state after it was not made
        yet: a clone a step costs more than the step), its view context and allocation."""
        self.actions.append(c.action)
        after = c.after
        if isinstance(after, _Child) and after._state is None and after._before is self.world_state:
            if not self._own:
                self.world_state, self._own = self.world_state.clone(), True
            self.world_state.apply_action(c.action)
        else:  # the state the candidate made: this walk's alone unless a copy shares the candidates
            self.world_state, self._own = _real(after), private or not self._shared
        self.ctx, self.alloc = c.ctx, c.alloc
        self.t += 1

    def _advance(self) -> None:
        """Replay the real history from step t up to the next step with a choice, forcing what shows no choice."""
        while self.t < len(self.steps):
            step = self.steps[self.t]
            if step.silent and self.t in self.guide.slots:  # a silent run the guide writes as sets
                self._run_end = next(i for i in range(self.t, len(self.steps)) if not self.steps[i].silent)
                self._sets, self._written = list(self.guide.sets[self._run_end]), []
                if self._next_set():
                    return
                continue
            self._candidates, self._shared = self._fits(self.world_state, self.ctx, step, self.alloc), False
            if self.guide is None:
                self._candidates = [c for c in self._candidates
                                    if self._completes(self.t + 1, _real(c.after), c.ctx, [self.budget])]
            if not self._candidates:
                raise Unsupported(f"{self.adapter.name}: no candidate at step {self.t} completes the history")
            if step.silent and len(self._candidates) > 1:  # one the guide pins, with no slot: it keeps one
                raise Unsupported(f"{self.adapter.name}: the guide leaves silent step {self.t} open")
            if not step.unseen:  # seen whole: alike to the player, whichever action it was
                self._apply(min(self._candidates, key=lambda c: c.action))
                continue
            self._k = 0
            self._settle()
            return
        self._tail = render_view(self.adapter, self.ctx, self.player)[1]
        self._force(self._tail)

    # ----- silent runs: hidden sets written in the game's order, then dealt to the silent steps -----
    def _next_set(self) -> bool:
        """Offer the next card of the set being written, forcing cards that have no alternative; once every set
        of the silent run is written, deal them and replay the run. Whether a choice is pending."""
        while self._sets:
            name, size = self._sets[0]
            group = self.guide.places(name)
            done = [card for card, s in self._written if s == name]
            if len(done) == size:  # the set is complete and fills its places: no other card may join it
                for card in [c for c in deals.may_be_in(self.alloc, group) if c not in done]:
                    self.alloc = self.alloc.restrict(card, self._outside(group))
                self._sets.pop(0)
                continue
            self._options = self._set_options(group, done[-1] if done else None)
            if not self._options:
                raise Unsupported(f"{self.adapter.name}: no card can complete the set at step {self.t}")
            if len(self._options) > 1:
                return True
            self._force([self.guide.word(self._options[0][0])])
            self._take(*self._options[0])
        self._deal_run()
        return False

    def _set_options(self, group: list, last) -> list[tuple]:
        """(card, allocation before it joins) for each card that may come next in the set whose places are
        `group`, after `last` in the game's order: the cards between them are then not in the set. The allocation
        is a function that makes it, where it is made only for the card chosen (`Allocation.pass_over`)."""
        alloc, order, others = self.alloc, self.guide.order, self._outside(group)
        later = sorted((c for c in deals.may_be_in(alloc, group) if last is None or order(c) > order(last)), key=order)
        if isinstance(alloc, Allocation) and self.guide.holds is None:
            return [(later[i], functools.partial(_passed, alloc, later[:i], others))
                    for i in alloc.pass_over(later, group, others)]
        out = []
        for card in later:
            if self.guide.allows(alloc, card, group):
                out.append((card, lambda a=alloc: a))
            alloc = alloc.restrict(card, others)  # passed over: not in this set
            if alloc is None:
                break
        return out

    def _outside(self, group: list) -> list:
        """The allocation's places not in `group`."""
        return [p for p in self.alloc.places if p not in group]

    def _take(self, card, before) -> None:
        """`card` joins the set being written (`before()`: the allocation with the cards passed over left out)."""
        name = self._sets[0][0]
        self._written.append((card, name))
        self.alloc = before().restrict(card, self.guide.places(name))

    def _write(self, card, before) -> None:
        self._take(card, before)
        if not self._next_set():
            self._advance()

    def _deal_run(self) -> None:
        """Replay the silent run with the written cards dealt to its steps, and to the steps of a set no words
        show (the player's own hand, skat's skat) the cards the allocation leaves only there."""
        hands: dict = {}
        for card, name in self._written:
            hands.setdefault(name, []).append(card)
        written = {card for card, _ in self._written}
        words = []
        for i in range(self.t, self._run_end + 1):
            step, name = self.steps[i], self.guide.slots.get(i)
            if name is None:
                fits = self._fits(self.world_state, self.ctx, step, None)
                if not fits:
                    raise DeadEnd(f"{self.adapter.name}: step {i} of a silent run cannot be replayed")
                self._apply(min(fits, key=lambda c: c.action))
                continue
            if name not in hands:
                held = deals.held_in(self.alloc, self.guide.places(name))
                hands[name] = sorted((c for c in held if c not in written), key=self.guide.order)
            if not hands[name]:
                raise DeadEnd(f"{self.adapter.name}: no card is left for step {i} of a silent run")
            action = hands[name].pop(0)
            after, ctx = self.world_state.child(action), dict(self.ctx)
            seen, unseen = render(self.adapter.step(ctx, self.world_state, step.actor, action, after), self.player,
                                  self.adapter.num_players)
            if seen != step.seen:
                raise DeadEnd(f"{self.adapter.name}: the silent run dealt cards the player would see otherwise")
            words += unseen
            self._apply(_Candidate(action, unseen, after, ctx, self.alloc), private=True)
        if words != [self.guide.word(c) for c, _ in self._written]:
            raise DeadEnd(f"{self.adapter.name}: the silent run shows {words}, not the sets written")

    def _fits(self, state: pyspiel.State, ctx: dict, step: _Step, alloc: Allocation | None) -> list[_Candidate]:
        """Each action at `state` that the player sees as they saw `step` and, with a guide, that keeps the
        allocation feasible (the real action first, where it is one)."""
        if state.current_player() != step.actor:
            return []
        options = _options(state)
        if step.action in options:
            options = [step.action] + [b for b in options if b != step.action]
            if not step.unseen and self.adapter.seen_names_action:
                options = options[:1]  # no other action looks the same to the player
        out = []
        for b in options:
            moved = self.guide.route(ctx, state, step.actor, b) if self.guide is not None else None
            if moved is not None and not self.guide.allows(alloc, *moved):
                continue
            after, trial = _Child(state, b), dict(ctx)
            seen, unseen = render(self.adapter.step(trial, state, step.actor, b, after), self.player,
                                  self.adapter.num_players)
            if seen == step.seen and len(unseen) == len(step.unseen):
                out.append(_Candidate(b, unseen, after, trial, alloc, moved))
        return out

    def _completes(self, t: int, state: pyspiel.State, ctx: dict, budget: list[int]) -> bool:
        """Whether the real history's steps from `t` on can be replayed from `state` as the player saw them."""
        for i in range(t, len(self.steps)):
            step = self.steps[i]
            budget[0] -= 1
            if budget[0] < 0:
                raise Unsupported(f"{self.adapter.name}: the look-ahead passed {self.budget} states")
            fits = self._fits(state, ctx, step, None)
            if len(fits) == 1:  # no branch: follow it
                state, ctx = _real(fits[0].after), fits[0].ctx  # adapters may read it whole (go_fish: str)
                continue
            return any(self._completes(i + 1, _real(c.after), c.ctx, budget) for c in fits)
        return True


def fill_uniformly(walk: Walk, rng) -> Walk:
    """`walk` finished with each chosen word drawn uniformly among the allowed ones (a belief with no model)."""
    walk.take_forced()
    while not walk.done:
        walk.feed(rng.choice(walk.allowed()))
        walk.take_forced()
    return walk


def _steps(adapter: GameAdapter, state: pyspiel.State, player: int) -> list[_Step]:
    """The real history's steps as `player` saw them. The last history seen that begins with the same steps is
    kept, and extended where this one continues it: a game's decisions, one after another, replay only what
    happened since the last."""
    history = state.history()
    key = (adapter, player, tuple(history[:_KEY_STEPS]))
    kept = _SEEN.pop(key, None)
    if kept is not None and len(kept[0]) <= len(history) and history[:len(kept[0])] == kept[0]:
        _, out, truth, ctx = kept
    else:
        out, truth, ctx = [], adapter.new_initial_state(), adapter.initial_context()
    for action in history[len(out):]:
        actor = truth.current_player()
        after = truth.child(action)
        seen, unseen = render(adapter.step(ctx, truth, actor, action, after), player, adapter.num_players)
        out.append(_Step(actor, action, seen, unseen, silent=not seen and not unseen and actor < 0))
        truth = after
    _SEEN[key] = (history, out, truth, ctx)
    if len(_SEEN) > _SEEN_MAX:
        del _SEEN[next(iter(_SEEN))]  # the longest unused
    return list(out)  # the kept list grows with the next history
