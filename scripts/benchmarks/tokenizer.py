"""Measures the tokenizer: encoding cost per observation and per action, and observation lengths."""
from __future__ import annotations

import random
import statistics
import time

import games
from tokenizer.tokenizer import Tokenizer


def measure(name: str, episodes: int = 20, seed: int = 0, max_steps: int = 2000) -> dict:
    """Random episodes of `name`; at each decision, time the acting player's observation and all legal actions.

    `obs_us` is the incremental cost a self-play loop pays (the steps since the last decision are rendered);
    `obs_cold_us` encodes a final state with an empty cache (a full replay).
    """
    adapter = games.load(name)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(seed)
    obs_t, act_t, lengths, cold_t = [], [], [], []
    clock = time.perf_counter
    for _ in range(episodes):
        state = adapter.new_initial_state()
        steps = 0
        while not state.is_terminal() and steps < max_steps:
            steps += 1
            if state.is_chance_node():
                outcomes, probs = zip(*state.chance_outcomes())
                state.apply_action(rng.choices(outcomes, probs)[0])
                continue
            p = state.current_player()
            t0 = clock()
            ids = tok.encode_observation(state, p)
            obs_t.append(clock() - t0)
            lengths.append(len(ids))
            legal = state.legal_actions()
            t0 = clock()
            for a in legal:
                tok.encode_action(state, a)
            act_t.append((clock() - t0) / len(legal))
            state.apply_action(rng.choice(legal))
        fresh = Tokenizer.for_game(adapter)
        t0 = clock()
        fresh.encode_observation(state, 0)
        cold_t.append(clock() - t0)
    return {
        "game": name,
        "obs_us": 1e6 * statistics.mean(obs_t),
        "obs_cold_us": 1e6 * statistics.mean(cold_t),
        "action_us": 1e6 * statistics.mean(act_t),
        "obs_tokens_mean": statistics.mean(lengths),
        "obs_tokens_max": max(lengths),
        "decisions": len(lengths),
    }
