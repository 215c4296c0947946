"""Incremental event streams: the token ids every player has seen (and not seen) along a history.

A `Stream` caches one `Node` per history prefix it has met (LRU). Encoding the
state after one more action renders only that action's events and appends
them to copies of the parent's lists, so self-play pays per event, not per
history length re-parsed.
"""
from __future__ import annotations

import collections
import dataclasses

import pyspiel

from games.base import Event, GameAdapter, render, render_view
from tokenizer import vocab


@dataclasses.dataclass(slots=True)
class Node:
    """What is known at one history: the state, the view's context, per-player token lists."""

    state: pyspiel.State  # a private clone, never handed out
    ctx: dict
    obs: list[list[int]]  # per player: observation ids
    hidden: list[list[int]]  # per player: the words filling that player's masks, then wholly unknown events


class Stream:
    """Per-game cache of rendered event streams, keyed by history."""

    def __init__(self, adapter: GameAdapter, capacity: int = 8192):
        self.adapter = adapter
        self.capacity = capacity
        self.n = adapter.num_players
        self._id = vocab.ids()
        self._nodes: collections.OrderedDict[tuple, Node] = collections.OrderedDict()

    def _root(self) -> Node:
        state = self.adapter.new_initial_state()
        game = vocab.game_word(self.adapter.name)
        head = [self._id[vocab.BOS], self._id.get(game, self._id[vocab.game_word("generic")])]
        obs = [head + [self._id[vocab.POSITIONS[p]]] for p in range(self.n)]
        return Node(state, self.adapter.initial_context(), obs, [[] for _ in range(self.n)])

    def _word_ids(self, words) -> list[int]:
        try:
            return [self._id[w] for w in words]
        except KeyError as e:
            raise KeyError(f"{self.adapter.name} adapter said word {e.args[0]!r}, which is not in the vocabulary; "
                           "add it to the adapter's `words`") from None

    def _render(self, events: list[Event], obs: list[list[int]], hidden: list[list[int]]) -> None:
        for p in range(self.n):
            seen, unseen = render(events, p, self.n)
            obs[p].extend(self._word_ids(seen))
            hidden[p].extend(self._word_ids(unseen))

    def view(self, node: Node, player: int) -> tuple[list[int], list[int]]:
        """Ids of the adapter's view at `node` for `player`: (the part they see, the rest), each after a `<view>`
        marker; empty when the adapter shows none."""
        seen, unseen = render_view(self.adapter, node.ctx, player)
        return self._word_ids(seen), self._word_ids(unseen)

    def _child(self, parent: Node, action: int, after: pyspiel.State | None = None) -> Node:
        before = parent.state
        actor = before.current_player()
        if actor == pyspiel.PlayerId.SIMULTANEOUS:
            raise ValueError(f"{self.adapter.name}: simultaneous-move nodes are not supported")
        if after is None:
            after = before.child(action)
        else:
            after = after.clone()
        ctx = dict(parent.ctx)
        events = self.adapter.step(ctx, before, actor, action, after)
        obs = [list(x) for x in parent.obs]
        hidden = [list(x) for x in parent.hidden]
        self._render(events, obs, hidden)
        return Node(after, ctx, obs, hidden)

    def outcome(self, state: pyspiel.State, action: int, player: int) -> tuple[list[int], list[int]]:
        """Ids of what the decision `action` in `state` adds to `player`'s streams after the action's own event
        (a step's first: `GameAdapter.step`): (observation, hidden)."""
        node = self.node(state)
        actor = state.current_player()
        if actor < 0:
            raise ValueError(f"{self.adapter.name}: outcomes follow decisions, and this state is not one")
        events = self.adapter.step(dict(node.ctx), node.state, actor, action, node.state.child(action))
        seen, unseen = render(events[1:], player, self.n)
        return self._word_ids(seen), self._word_ids(unseen)

    def _put(self, key: tuple, node: Node) -> None:
        self._nodes[key] = node
        if len(self._nodes) > self.capacity:
            self._nodes.popitem(last=False)

    def node(self, state: pyspiel.State) -> Node:
        """The node for `state`'s history, rendering only what is not cached yet."""
        key = tuple(state.history())
        node = self._nodes.get(key)
        if node is not None:
            self._nodes.move_to_end(key)
            return node
        start = len(key) - 1  # the longest cached prefix (usually the parent; chance steps may lie between)
        while start > 0 and key[:start] not in self._nodes:
            start -= 1
        node = self._nodes[key[:start]] if start > 0 else self._root()
        for i in range(max(start, 0), len(key)):
            node = self._child(node, key[i], state if i == len(key) - 1 else None)
            self._put(key[:i + 1], node)
        if not key:
            self._put(key, node)
        return node
