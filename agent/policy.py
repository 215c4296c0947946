"""The agent as an OpenSpiel `policy.Policy`: one search per information set, cached, for `exploitability`.

The search reads only what the player to move has observed (observation tokens; worlds from the belief
sampler), so one search per information set is the agent's policy there. `AgentPolicy.fill` walks the game
tree once and searches every information set in batches (lock step), so OpenSpiel's best-response
computation then only reads the cache.
"""
from __future__ import annotations

import pyspiel
from open_spiel.python import policy as os_policy
from open_spiel.python.algorithms import exploitability as os_exploitability

from agent.agent import Agent


class AgentPolicy(os_policy.Policy):
    """Search policies of `agent`, one per information set."""

    def __init__(self, agent: Agent, batch: int = 64):
        game = agent.adapter.game
        super().__init__(game, list(range(game.num_players())))
        self.agent, self.batch = agent, batch
        self.cache: dict[str, dict[int, float]] = {}

    def _key(self, state: pyspiel.State) -> str:
        return state.information_state_string(state.current_player())

    def fill(self) -> int:
        """Search every information set of the (small) game once; returns how many there are."""
        todo: dict[str, pyspiel.State] = {}
        stack = [self.agent.adapter.new_initial_state()]
        while stack:
            state = stack.pop()
            if state.is_terminal():
                continue
            if state.is_chance_node():
                stack.extend(state.child(a) for a, _ in state.chance_outcomes())
                continue
            key = self._key(state)
            if key not in self.cache and key not in todo:
                todo[key] = state
            stack.extend(state.child(a) for a in state.legal_actions())
        items = list(todo.items())
        for i in range(0, len(items), self.batch):
            chunk = items[i:i + self.batch]
            for (key, state), (result, _) in zip(chunk, self.agent.search([s for _, s in chunk])):
                policy = dict.fromkeys(state.legal_actions(), 0.0)
                for a, p in zip(self.agent.root_actions(state, result), result.policy):
                    policy[a] = p
                self.cache[key] = policy
        return len(self.cache)

    def action_probabilities(self, state, player_id=None):
        """The cached search policy of `state`'s information set (searched now if missing)."""
        key = self._key(state)
        if key not in self.cache:
            self.cache[key] = self.agent.action_probabilities(state)
        return self.cache[key]


def exploitability(agent: Agent, pol: AgentPolicy | None = None) -> float:
    """OpenSpiel's exploitability (mean best-response gain, two-player zero-sum) of the agent's search policy
    (filled into `pol` if given, so a caller can read the searched policies afterwards)."""
    pol = pol if pol is not None else AgentPolicy(agent)
    pol.fill()
    return float(os_exploitability.exploitability(agent.adapter.game, pol))
