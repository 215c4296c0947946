"""Measures the search: simulations per second and the share of wall time outside network calls.

Roots are real decision states from random play, read by h from their real full tokens (the belief sampler's
speed is the model section's business), P particles each. The model is an untrained preset whose terminal
head is biased towards "live", so every new state runs f, G and the scorer as it would mid-game: the
network share is a worst case for the search's own overhead, not a flattering one. Network time is the
time inside the expander's batched calls (the networks plus packing their inputs and unpacking outputs);
the rest is the Python tree: selection, backup, bookkeeping.
"""
from __future__ import annotations

import random
import time

import torch

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.tokens import pad_rows
from agent.search import Tree, simulate
from agent.search.config import SearchConfig
from agent.search.learned import LearnedExpander
from tokenizer.tokenizer import Tokenizer


class Timed(LearnedExpander):
    """A learned expander that adds up the seconds spent in its calls."""

    seconds = 0.0

    def _timed(self, call, requests):
        start = time.perf_counter()
        try:
            return call(requests)
        finally:
            self.seconds += time.perf_counter() - start

    def expand_afterstates(self, requests):
        return self._timed(super().expand_afterstates, requests)

    def expand_states(self, requests):
        return self._timed(super().expand_states, requests)


def _states(adapter, n: int, rng: random.Random):
    out = []
    while len(out) < n:
        tr = trace(adapter, play_random(adapter, rng))
        out += [tr.states[t] for t in rng.sample(range(tr.decisions), min(2, tr.decisions))]
    return out[:n]


def search_speed(game: str, preset_name: str, searches: int, *, simulations: int = 32, particles: int = 4,
                 seed: int = 0, device: str = "cpu") -> dict:
    """Simulations per second (all searches together) and the share of wall time outside network calls."""
    adapter = games.load(game)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(seed)
    torch.manual_seed(seed)
    model = Model(preset(preset_name), GameSpec.of(adapter)).to(device).eval()
    with torch.no_grad():
        model.prediction[-1].bias[2 * adapter.num_players] = -10.0  # f says "live": every new state runs G
    states = _states(adapter, searches, rng)
    cfg = SearchConfig(simulations=simulations, particles=particles)
    expander = Timed(model, generator=torch.Generator(device).manual_seed(seed))
    rows = [full_tokens(tok, s, s.current_player()) for s in states for _ in range(particles)]
    ids = pad_rows(rows, device=device)
    keys = [[tuple(tok.encode_action(s, a)) for a in s.legal_actions()] for s in states]

    def once() -> tuple[float, float]:
        start = time.perf_counter()
        with torch.no_grad():
            infos = expander.describe(model.represent(ids), keys=[k for k in keys for _ in range(particles)])
        root = time.perf_counter() - start
        trees = [Tree(infos[i * particles:(i + 1) * particles], adapter.num_players, cfg, rng, False)
                 for i in range(searches)]
        expander.seconds = 0.0
        start = time.perf_counter()
        simulate(expander, trees)
        return time.perf_counter() - start, root

    once()  # warm-up
    wall, root = once()
    return {"game": game, "preset": preset_name, "searches": searches, "simulations": simulations,
            "particles": particles, "sims_per_s": searches * simulations / wall,
            "outside_share": 1.0 - expander.seconds / wall, "search_s": wall, "root_s": root}
