"""Whoever sits at a seat in an evaluation match: the agent, uniform random, OpenSpiel's bots and policies.

Every player answers `act(moves)` for a batch of (game index, real state) pairs where one of its seats is
to move, so the agent's searches run batched across games; OpenSpiel's bots step one state at a time.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np
import pyspiel
from open_spiel.python.algorithms.ismcts import ISMCTSBot
from open_spiel.python.algorithms.mcts import RandomRolloutEvaluator

from agent.agent import Agent
from games.base import GameAdapter
from games.belief import Walk, fill_uniformly

Moves = Sequence[tuple[int, pyspiel.State]]  # (game index, state with this player's seat to move)


class Player:
    """A participant in head-to-head matches."""

    name: str = "player"

    def reset(self, seed: int) -> None:
        """Start a new match (a batch of games) with this seed."""

    def act(self, moves: Moves) -> list[int]:
        """One legal action per (game index, state)."""
        raise NotImplementedError


class AgentPlayer(Player):
    """The agent: one batched search over every waiting game."""

    def __init__(self, agent: Agent, name: str = "agent"):
        self.agent, self.name = agent, name
        self.moves = self.legal_moves = 0  # the actions the search chose, and how many the real rules allow

    def act(self, moves: Moves) -> list[int]:
        actions = [a for _, a in self.agent.search([s for _, s in moves])]
        self.moves += len(actions)
        self.legal_moves += sum(a in s.legal_actions() for (_, s), a in zip(moves, actions))
        return actions


class UniformRandom(Player):
    """Uniformly random legal actions."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)

    def reset(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def act(self, moves: Moves) -> list[int]:
        return [self.rng.choice(s.legal_actions()) for _, s in moves]


class PolicyPlayer(Player):
    """Samples its actions from an OpenSpiel policy (e.g. CFR+'s average policy)."""

    def __init__(self, name: str, policy: pyspiel.Policy, seed: int = 0):
        self.name, self.policy, self.rng = name, policy, random.Random(seed)

    def reset(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def act(self, moves: Moves) -> list[int]:
        out = []
        for _, state in moves:
            actions, probs = zip(*self.policy.action_probabilities(state).items())
            out.append(self.rng.choices(actions, probs)[0])
        return out


class BotPlayer(Player):
    """An OpenSpiel `pyspiel.Bot`, one instance per (game, seat) made by `factory(seat, seed)`."""

    def __init__(self, name: str, factory: Callable[[int, int], pyspiel.Bot]):
        self.name, self.factory = name, factory
        self.bots: dict[tuple[int, int], pyspiel.Bot] = {}
        self.seed = 0

    def reset(self, seed: int) -> None:
        self.bots, self.seed = {}, seed

    def act(self, moves: Moves) -> list[int]:
        out = []
        for g, state in moves:
            seat = state.current_player()
            if (g, seat) not in self.bots:
                self.bots[(g, seat)] = self.factory(seat, self.seed * 100_003 + g * 17 + seat)
            out.append(self.bots[(g, seat)].step(state))
        return out


def ismcts(adapter: GameAdapter, simulations: int = 1000, uct_c: float = 2.0) -> BotPlayer:
    """OpenSpiel's IS-MCTS with the real rules and one random rollout per leaf (games with a resampler).

    Seeded, but not reproducible from run to run: OpenSpiel's bot walks a hash map whose order changes between
    processes (the same seed and state list the policy's actions in a different order, and ties then break
    differently), so its column varies within its interval; every other player here repeats exactly."""
    if not adapter.has_resampler:
        raise ValueError(f"IS-MCTS needs OpenSpiel's resample_from_infostate, which {adapter.name} lacks")
    if adapter.cpp_ismcts_fails:
        raise ValueError(f"IS-MCTS is not run on {adapter.name}: {adapter.cpp_ismcts_fails}")

    evaluators = []  # the bot holds its evaluator by a raw pointer: keep each alive as long as the player

    def make(seat: int, seed: int) -> pyspiel.Bot:
        evaluator = pyspiel.RandomRolloutEvaluator(1, seed)
        evaluators.append(evaluator)
        return pyspiel.ISMCTSBot(seed, evaluator, uct_c, simulations, -1,
                                 pyspiel.ISMCTSFinalPolicyType.MAX_VISIT_COUNT, False, False)

    return BotPlayer(f"ismcts-{simulations}", make)


class LearnedResampler:
    """OpenSpiel's resampler callback, drawing from an agent's learned belief `batch` worlds at a time for the
    information state asked about (one batched sampling, not one per simulation)."""

    def __init__(self, agent: Agent, batch: int = 32):
        self.agent, self.batch = agent, batch
        self.key, self.worlds = None, []

    def __call__(self, state: pyspiel.State, player: int) -> pyspiel.State:
        key = (tuple(state.history()), player)
        if key != self.key or not self.worlds:
            self.key, self.worlds = key, self.agent.sample_worlds(state, self.batch, player)
        return self.worlds.pop()


def _python_ismcts(adapter: GameAdapter, name: str, simulations: int, uct_c: float,
                   resampler: Callable[[int], Callable] | None = None) -> BotPlayer:
    """OpenSpiel's Python IS-MCTS (the real rules, one random rollout per leaf), planning on the worlds of
    `resampler(seed)` (default: OpenSpiel's own resampler). Its tree is keyed by OpenSpiel's information state
    string, or its observation string where the game has none (crazy_eights, skat, spades, dou_dizhu); one
    observation may then come with other legal actions (crazy_eights: after an eight, the suit to name), which the bot
    is told to allow."""
    keyed = adapter.game.get_type().provides_information_state_string

    def make(seat: int, seed: int) -> ISMCTSBot:
        rng = np.random.RandomState(seed % 2**32)
        bot = ISMCTSBot(adapter.game, RandomRolloutEvaluator(1, rng), uct_c, simulations, random_state=rng,
                        use_observation_string=not keyed, allow_inconsistent_action_sets=not keyed)
        if resampler is not None:
            bot.set_resampler(resampler(seed))
        return bot

    return BotPlayer(f"{name}-{simulations}", make)


def ismcts_python(adapter: GameAdapter, simulations: int = 1000, uct_c: float = 2.0) -> BotPlayer:
    """Python IS-MCTS on worlds from OpenSpiel's own uniform resampler: `ismcts_learned`'s twin, for comparing
    the two beliefs at equal simulations."""
    if not adapter.has_resampler:
        raise ValueError(f"IS-MCTS needs OpenSpiel's resample_from_infostate, which {adapter.name} lacks")
    if adapter.resampler_fails:
        raise ValueError(f"IS-MCTS cannot plan on OpenSpiel's resampler in {adapter.name}: {adapter.resampler_fails}")
    return _python_ismcts(adapter, "ismcts-python", simulations, uct_c)


def ismcts_walk(adapter: GameAdapter, simulations: int = 1000, uct_c: float = 2.0) -> BotPlayer:
    """Python IS-MCTS on possible worlds with each hidden word drawn uniformly among those allowed (the belief
    walk with no model): `ismcts_learned`'s twin where OpenSpiel has no working resampler."""
    def uniform(seed: int) -> Callable:
        words, last = random.Random(seed), [None, None]  # the walk up to its first choice for the last state asked

        def resample(state: pyspiel.State, player: int) -> pyspiel.State:
            key = (tuple(state.history()), player)
            if key != last[0]:
                last[:] = key, Walk(adapter, state, player)
            return fill_uniformly(last[1].copy(), words).world()
        return resample

    return _python_ismcts(adapter, "ismcts-walk", simulations, uct_c, uniform)


def ismcts_learned(agent: Agent, simulations: int = 1000, uct_c: float = 2.0) -> BotPlayer:
    """Python IS-MCTS planning on worlds drawn from `agent`'s learned belief (`Agent.resample`), in games whose
    belief walk applies."""
    adapter = agent.adapter
    if not adapter.belief_walk:
        raise ValueError(f"IS-MCTS with the learned resampler needs possible worlds, which the belief walk does "
                         f"not make in {adapter.name} yet")
    return _python_ismcts(adapter, "ismcts-learned", simulations, uct_c,
                          lambda seed: LearnedResampler(Agent(adapter, agent.model, search=agent.cfg, seed=seed)))


def cfr_plus(adapter: GameAdapter, iterations: int = 1000, seed: int = 0) -> PolicyPlayer:
    """CFR+'s average policy after `iterations` (close to Nash at the default)."""
    if not adapter.enumerable:
        raise ValueError(f"CFR+ is computed only for games small enough to enumerate, not {adapter.name}")
    solver = pyspiel.CFRPlusSolver(adapter.game)
    for _ in range(iterations):
        solver.evaluate_and_update_policy()
    player = PolicyPlayer(f"cfr+-{iterations}", solver.average_policy(), seed)
    player.solver = solver  # the policy reads the solver's tables: keep it alive as long as the player
    return player


def gin_bot(adapter: GameAdapter) -> BotPlayer:
    """OpenSpiel's simple gin rummy bot (gin_rummy only)."""
    if adapter.name != "gin_rummy":
        raise ValueError(f"the simple gin rummy bot plays gin_rummy only, not {adapter.name}")
    params = adapter.game.get_parameters()
    return BotPlayer("gin-bot", lambda seat, seed: pyspiel.make_simple_gin_rummy_bot(params, seat))
