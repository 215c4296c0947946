"""Chance in real games: advancing a state through its chance nodes by their real probabilities."""
from __future__ import annotations

import random

import pyspiel


def sample_chance(state: pyspiel.State, rng: random.Random) -> None:
    """Apply chance outcomes, drawn by their real probabilities, until a player is to move or the game is over."""
    while state.is_chance_node():
        outcomes, probs = zip(*state.chance_outcomes())
        state.apply_action(rng.choices(outcomes, probs)[0])  # one rng.random() per chance step
