"""Random playthroughs and OpenSpiel's own notion of an information set, to judge the tokenizer against.

The reference key of player p at a history is OpenSpiel's information-state
string where the game has one (and it has perfect recall); otherwise p's action-observation history: the
observation string (or tensor) after every step, with p's own actions.
"""
from __future__ import annotations

import random

import numpy as np
import pyspiel

from games.base import GameAdapter

# Games whose information-state string forgets (go_fish keeps only events since the player's last ask):
# judged by the action-observation history instead.
FORGETFUL_STRINGS = {"go_fish"}
# Games whose information-state string drops something the tensor keeps (euchre's string can omit the trump
# suit named by the first bidder of round two): judged by string + information-state tensor.
STRING_AND_TENSOR = {"euchre"}


def random_history(adapter: GameAdapter, rng: random.Random, max_len: int = 400) -> list[int]:
    """Actions of one random playthrough (chance by its probabilities, players uniformly), cut at max_len."""
    state = adapter.new_initial_state()
    history = []
    while not state.is_terminal() and len(history) < max_len:
        if state.is_chance_node():
            outcomes, probs = zip(*state.chance_outcomes())
            action = rng.choices(outcomes, probs)[0]
        else:
            action = rng.choice(state.legal_actions())
        history.append(action)
        state.apply_action(action)
    return history


def _obs(state: pyspiel.State, game: pyspiel.Game, p: int):
    kind = game.get_type()
    if kind.provides_observation_string:
        return state.observation_string(p)
    return np.asarray(state.observation_tensor(p)).tobytes()


def replay(adapter: GameAdapter, history: list[int]):
    """Yield (state, keys) after every legal prefix of `history` (the empty one first); stops at an illegal action.

    keys[p] is player p's reference information-set key at that state.
    """
    game = adapter.game
    n = adapter.num_players
    use_string = game.get_type().provides_information_state_string and adapter.name not in FORGETFUL_STRINGS
    state = adapter.new_initial_state()
    aoh = [((None, _obs(state, game, p)),) if not use_string else None for p in range(n)]

    def keys():
        if use_string and adapter.name in STRING_AND_TENSOR:
            return tuple((state.information_state_string(p), np.asarray(state.information_state_tensor(p)).tobytes())
                         for p in range(n))
        if use_string:
            return tuple(state.information_state_string(p) for p in range(n))
        return tuple(aoh)

    yield state, keys()
    for action in history:
        if state.is_terminal():
            return
        legal = [o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()
        if action not in legal:
            return
        actor = state.current_player()
        state.apply_action(action)
        if not use_string:
            aoh = [aoh[p] + ((action if actor == p else None, _obs(state, game, p)),) for p in range(n)]
        yield state, keys()


def perturb(adapter: GameAdapter, history: list[int], rng: random.Random) -> list[int] | None:
    """A history that differs from `history` in one step (a chance outcome swapped with its later use, or another
    legal action), valid at least up to that step; None if the chosen step had no alternative."""
    state = adapter.new_initial_state()
    i = rng.randrange(len(history))
    for a in history[:i]:
        state.apply_action(a)
    legal = [o for o, _ in state.chance_outcomes()] if state.is_chance_node() else state.legal_actions()
    alternatives = [a for a in legal if a != history[i]]
    if not alternatives:
        return None
    new = rng.choice(alternatives)
    out = list(history)
    out[i] = new
    if state.is_chance_node():
        for j in range(i + 1, len(out)):
            if out[j] == new:
                out[j] = history[i]
                break
    return out


def information(state, player: int) -> str:
    """OpenSpiel's own string for what `player` knows: the information state, else the observation."""
    if state.get_game().get_type().provides_information_state_string:
        return state.information_state_string(player)
    return state.observation_string(player)


def legal_replay(game, history):
    """The state `history` reaches from the initial state, None if it takes an illegal action on the way."""
    world = game.new_initial_state()
    for action in history:
        legal = [o for o, _ in world.chance_outcomes()] if world.is_chance_node() else world.legal_actions()
        if action not in legal:
            return None
        world.apply_action(action)
    return world


def replays_legally(world) -> bool:
    """Whether `world`'s history is a sequence of legal actions (chance outcomes) from the initial state."""
    return legal_replay(world.get_game(), world.history()) is not None
