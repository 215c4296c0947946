"""Tokenizer.for_game(game): observations, hidden remainders and actions <-> token ids in the shared vocabulary."""
from __future__ import annotations

import collections

import pyspiel

import games
from games.base import GameAdapter
from tokenizer import vocab
from tokenizer.stream import Stream


class Tokenizer:
    """Token ids for one game. Observation = `<bos> game posK` + the events the player saw (`?` for unseen
    payloads) + the part of the adapter's view they see (recomputed per state, so not a growing stream); their
    hidden tokens end with the view's unseen part."""

    def __init__(self, adapter: GameAdapter):
        self.adapter = adapter
        self.vocab_size = vocab.size()
        self._ids = vocab.ids()
        self._words = vocab.words()
        self.eos = self._ids[vocab.EOS]
        self.pad = self._ids[vocab.PAD]
        self.sep = self._ids[vocab.SEP]
        self.mask = self._ids[vocab.MASK]
        self._stream = Stream(adapter)
        self._encode_cache: dict[tuple[str, int], list[int]] = {}
        table: dict[tuple[int, ...], dict[str, int]] = collections.defaultdict(dict)
        for phase, words, action in adapter.all_action_words():
            ids = tuple(self._ids[w] for w in words)
            if phase in table[ids]:
                raise AssertionError(f"{adapter.name}: actions {table[ids][phase]} and {action} are both "
                                     f"written {' '.join(words)} in phase {phase}")
            table[ids][phase] = action
            self._encode_cache[(phase, action)] = list(ids) + [self.eos]
        self._decode = dict(table)
        self.max_action_len = max(len(ids) for ids in self._encode_cache.values())  # longest action, <eos> included

    @classmethod
    def for_game(cls, game: GameAdapter | str) -> Tokenizer:
        """The tokenizer of a game adapter (or of a game name, loaded with default parameters)."""
        return cls(games.load(game) if isinstance(game, str) else game)

    # ----- states -----
    def encode_observation(self, state: pyspiel.State, player: int) -> list[int]:
        """`player`'s information state as ids: everything they saw, in order, `?` where a payload was hidden,
        then their view (what they hold now)."""
        node = self._stream.node(state)
        p = self._check_player(player)
        return node.obs[p] + self._stream.view(node, p)[0]

    def encode_hidden(self, state: pyspiel.State, player: int) -> list[int]:
        """What `player` does not see: the words behind each `?` of their observation, in order, wholly unseen
        events, then the unseen part of the view (what the other seats hold now)."""
        node = self._stream.node(state)
        p = self._check_player(player)
        return node.hidden[p] + self._stream.view(node, p)[1]

    def encode_full(self, state: pyspiel.State, player: int) -> list[int]:
        """Observation, `<sep>`, hidden: the full state from `player`'s seat."""
        return self.encode_observation(state, player) + [self.sep] + self.encode_hidden(state, player)

    def holdings(self, state: pyspiel.State, player: int) -> list[list[int]]:
        """What each seat holds now in the adapter's view, seat by seat from `player` on (relative seat j is
        player + j): the ids of the payload words of that seat's `hand` view event (its bids, tricks or points are
        not holdings); all empty without a view."""
        node = self._stream.node(state)
        p, n = self._check_player(player), self.adapter.num_players
        out: list[list[int]] = [[] for _ in range(n)]
        for ev in self.adapter.view(node.ctx):
            if ev.seat is not None and ev.verb == "hand":
                out[(ev.seat - p) % n] += [self._ids[w] for w in ev.payload]
        return out

    def seat_facts(self, state: pyspiel.State, player: int) -> list[list[list[int]]]:
        """Each seat's facts in the adapter's view now, seat by seat from `player` on: per word of the adapter's
        `seat_words`, the ids of the payload of that seat's event with that verb (`bid N3`: N3); empty where the
        view has none."""
        node = self._stream.node(state)
        p, n, words = self._check_player(player), self.adapter.num_players, self.adapter.seat_words
        out: list[list[list[int]]] = [[[] for _ in words] for _ in range(n)]
        for ev in self.adapter.view(node.ctx):
            if ev.seat is not None and ev.verb in words:
                out[(ev.seat - p) % n][words.index(ev.verb)] += [self._ids[w] for w in ev.payload]
        return out

    def table(self, state: pyspiel.State) -> list[list[int]]:
        """The view's table facts now: per word of the adapter's `table_words`, the ids of the payload words of
        the table event (no seat) with that verb; empty where the view has none."""
        out: dict[str, list[int]] = {w: [] for w in self.adapter.table_words}
        for ev in self.adapter.view(self._stream.node(state).ctx):
            if ev.seat is None and ev.verb in out:
                out[ev.verb] += [self._ids[w] for w in ev.payload]
        return list(out.values())

    def new_events(self, before: pyspiel.State, after: pyspiel.State, player: int) -> tuple[list[int], list[int]]:
        """(observation, hidden) ids the events from `before` to `after` add to `player`'s streams (views left out).

        `after` must continue `before`'s history; streams only grow, so these and `before`'s tokens give `after`'s.
        """
        old, new = before.history(), after.history()
        if new[:len(old)] != old:
            raise ValueError(f"{self.adapter.name}: history {new} does not continue {old}")
        p = self._check_player(player)
        a, b = self._stream.node(before), self._stream.node(after)
        return b.obs[p][len(a.obs[p]):], b.hidden[p][len(a.hidden[p]):]

    def outcome(self, state: pyspiel.State, action: int, player: int) -> tuple[list[int], list[int]]:
        """(observation, hidden) ids of what the decision `action` in `state` caused, as `player` records it: its
        step's events after the action's own (a trick's taker, an answer, cards handed on); none for most moves.
        The rules decide them, but a learned model may be told them as a chance outcome is (`events_between`)."""
        return self._stream.outcome(state, action, self._check_player(player))

    def _check_player(self, player: int) -> int:
        if not 0 <= player < self.adapter.num_players:
            raise ValueError(f"player {player} does not exist in {self.adapter.name} "
                             f"(players 0..{self.adapter.num_players - 1})")
        return player

    # ----- actions -----
    def encode_action(self, state: pyspiel.State, action: int) -> list[int]:
        """The ids of `action` as written in `state`'s phase, ending with `<eos>`."""
        phase = self.adapter.phase(state)
        ids = self._encode_cache.get((phase, action))
        if ids is None:
            raise ValueError(f"{self.adapter.name} has no action {action} in phase {phase!r}")
        return list(ids)

    def decode_action(self, tokens, state: pyspiel.State | None = None) -> int:
        """The action id a token sequence names (in `state`'s phase when given); ValueError says why none."""
        tokens = [int(t) for t in tokens]
        if tokens and tokens[-1] == self.eos:
            tokens = tokens[:-1]
        bad = [t for t in tokens if not 0 <= t < self.vocab_size]
        if bad:
            raise ValueError(f"token ids {bad} are outside the vocabulary (0..{self.vocab_size - 1})")
        if not tokens:
            raise ValueError("an empty token sequence names no action")
        text = " ".join(self._words[t] for t in tokens)
        forms = self._decode.get(tuple(tokens))
        if forms is None:
            raise ValueError(f"'{text}' is not an action of {self.adapter.name}")
        if state is None:
            if len(set(forms.values())) > 1:
                raise ValueError(f"'{text}' names different actions in phases {sorted(forms)}; pass the state")
            return next(iter(forms.values()))
        phase = self.adapter.phase(state)
        if phase not in forms:
            raise ValueError(f"'{text}' is a {'/'.join(sorted(forms))} action of {self.adapter.name}, "
                             f"but this state is in phase {phase!r}")
        return forms[phase]

    # ----- text -----
    def describe(self, ids) -> list[str]:
        """The words of `ids`; ValueError on an id outside the vocabulary."""
        out = []
        for t in ids:
            t = int(t)
            if not 0 <= t < self.vocab_size:
                raise ValueError(f"token id {t} is outside the vocabulary (0..{self.vocab_size - 1})")
            out.append(self._words[t])
        return out
