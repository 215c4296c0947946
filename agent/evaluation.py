"""Head-to-head evaluation on real games: the agent against uniform random, seats rotated, with intervals."""
from __future__ import annotations

import math
import random
import statistics

from agent.agent import Agent


def versus_random(agent: Agent, games: int, seed: int) -> dict:
    """The agent's mean return per game against uniform-random opponents (95% interval) and its win rate.

    Game g seats the agent at g mod N; the others play uniformly at random; chance follows the real rules.
    All games advance together so the agent's searches are batched.
    """
    adapter = agent.adapter
    n = adapter.num_players
    rng = random.Random(seed)
    states = [adapter.new_initial_state() for _ in range(games)]
    seats = [g % n for g in range(games)]
    while True:
        waiting = []
        for i, s in enumerate(states):
            while not s.is_terminal() and (s.is_chance_node() or s.current_player() != seats[i]):
                if s.is_chance_node():
                    outcomes, probs = zip(*s.chance_outcomes())
                    s.apply_action(rng.choices(outcomes, probs)[0])
                else:
                    s.apply_action(rng.choice(s.legal_actions()))
            if not s.is_terminal():
                waiting.append(i)
        if not waiting:
            break
        for i, (_, action) in zip(waiting, agent.search([states[i] for i in waiting])):
            states[i].apply_action(action)
    returns = [s.returns()[seat] for s, seat in zip(states, seats)]
    best = [max(s.returns()) for s in states]
    mean = statistics.fmean(returns)
    half = 1.96 * statistics.stdev(returns) / math.sqrt(games) if games > 1 else float("nan")
    return {"mean_return": mean, "ci95": half, "win_rate": sum(r == b and r > min(s.returns())
                                                                for r, b, s in zip(returns, best, states)) / games,
            "games": games}
