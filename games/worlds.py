"""Hidden states against the real game: is a sampled hidden remainder possible given what a player saw?

A player's hidden words fill, in order, the payloads they did not see, then
end with the unseen part of the adapter's view (other seats' hands). A fill
is consistent when some history produces it: replay the real history and,
at each step whose payload the player did not see, look for an action of that
step (a chance outcome or another player's move) that looks the same to the
player and carries the next hidden words. Used to score belief samples in
games too large to enumerate.
"""
from __future__ import annotations

import pyspiel

from games.base import GameAdapter, render, render_view


def _options(state: pyspiel.State) -> list[int]:
    return [o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()


def consistent_history(adapter: GameAdapter, state: pyspiel.State, player: int,
                       hidden: list[str]) -> list[int] | None:
    """A history that `player` cannot tell from `state`'s and whose hidden words are `hidden`; None if none exists.

    Greedy: at each unseen step it takes the first action that fits, which is exact when the fill of each
    step determines that step's action (true of card deals and private card moves).
    """
    n = adapter.num_players
    replay = adapter.new_initial_state()
    truth = adapter.new_initial_state()
    ctx_true, ctx = adapter.initial_context(), adapter.initial_context()
    out, pos = [], 0
    for action in state.history():
        actor = truth.current_player()
        after_true = truth.child(action)
        seen, unseen = render(adapter.step(ctx_true, truth, actor, action, after_true), player, n)
        truth = after_true
        if replay.current_player() != actor:
            return None
        candidates = [action] if not unseen else _options(replay)
        chosen = None
        for b in candidates:
            if b not in _options(replay):
                continue
            trial_ctx = dict(ctx)
            after = replay.child(b)
            words_seen, words_unseen = render(adapter.step(trial_ctx, replay, actor, b, after), player, n)
            if words_seen == seen and words_unseen == hidden[pos:pos + len(words_unseen)]:
                chosen = (b, after, trial_ctx, len(words_unseen))
                break
        if chosen is None:
            return None
        b, replay, ctx, used = chosen
        out.append(b)
        pos += used
    return out if hidden[pos:] == render_view(adapter, ctx, player)[1] else None  # then the view of that world


def is_consistent(adapter: GameAdapter, state: pyspiel.State, player: int, hidden: list[str]) -> bool:
    """Whether some history that `player` cannot tell from `state`'s has hidden words `hidden`."""
    return consistent_history(adapter, state, player, hidden) is not None
