"""Measures the model: parameters per preset and latents per second of each network call at several batch sizes.

Inputs are real: full-state tokens of 64 states from random play of the game,
and the actions taken there; every batch size goes through the same states. The two samplers are also timed against
transformers' `generate()` doing the same job (K sampled draws, deduplicated,
for G; one hidden sample per row for b). An untrained model rarely says `<eos>`,
so b runs to the longest real hidden length: the figures are a worst case.
"""
from __future__ import annotations

import random
import time

import torch

import games
from agent.episodes import full_tokens, play_random, trace
from agent.model import EOS, PAD, Model, parameter_count
from agent.model.config import PRESETS, GameSpec, preset
from agent.model.sampling import sample_actions, sample_hidden
from agent.model.tokens import pad_rows
from tokenizer.tokenizer import Tokenizer


def _rate(fn, rows: int, min_seconds: float = 0.3) -> float:
    """Rows per second of `fn()`, which handles `rows` rows per call (after one warm-up call)."""
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return rows * n / elapsed


def _inputs(game: str, n: int, seed: int):
    adapter = games.load(game)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(seed)
    states, actions = [], []
    while len(states) < n:
        tr = trace(adapter, play_random(adapter, rng))
        for t in rng.sample(range(tr.decisions), min(3, tr.decisions)):
            states.append(tr.states[t])
            actions.append(tok.encode_action(tr.states[t], tr.actions[t]))
    return adapter, tok, states[:n], actions[:n]


def parameters(game: str) -> list[dict]:
    """Trainable parameters of every preset for `game`, in total and per network."""
    spec = GameSpec.of(games.load(game))
    rows = []
    for name in PRESETS:
        model = Model(preset(name), spec)
        parts = {"repr": model.repr, "belief": model.belief, "generator": model.generator,
                 "dynamics": [model.afterstate_net, model.dynamics_net], "chance": model.chance_net}
        row = {"preset": name, "total": parameter_count(model)}
        for key, mods in parts.items():
            mods = mods if isinstance(mods, list) else [mods]
            row[key] = sum(parameter_count(m) for m in mods)
        rows.append(row)
    return rows


@torch.no_grad()
def throughput(game: str, preset_name: str, batches=(1, 16, 64), seed: int = 0, device: str = "cpu") -> list[dict]:
    """Latents per second of each network call at each batch size (rows of the printed table)."""
    adapter, tok, states, actions = _inputs(game, max(batches), seed)
    torch.manual_seed(seed)
    model = Model(preset(preset_name), GameSpec.of(adapter)).to(device).eval()
    k, A = model.cfg.candidates, model.spec.max_action_len
    full = [full_tokens(tok, s, s.current_player()) for s in states]
    obs = [tok.encode_observation(s, s.current_player()) for s in states]
    hidden_len = max(len(tok.encode_hidden(s, s.current_player())) for s in states) + 1  # both samplers stop here
    tokens = pad_rows(full, device=device)
    acts = pad_rows(actions, width=A, device=device)
    gen = torch.Generator(device=device).manual_seed(seed)
    N = len(states)
    rows = []
    for B in batches:
        chunks = [slice(i, i + B) for i in range(0, N - B + 1, B)]  # every batch size sees the same states
        s = [model.represent(tokens[c]) for c in chunks]
        after = [model.afterstate(x, acts[c]) for x, c in zip(s, chunks)]
        code = model.one_hot_code(torch.zeros(B, dtype=torch.long, device=device))

        def hf_generate_actions(x):
            out = model.generator.generate(inputs_embeds=model.generator_prefix(x), do_sample=True,
                                           max_new_tokens=A, num_return_sequences=k, eos_token_id=EOS,
                                           pad_token_id=PAD)
            return [set(map(tuple, out[i * k:(i + 1) * k].tolist())) for i in range(len(x))]

        def hf_generate_hidden(c):
            prompts = [o + [tok.sep] for o in obs[c]]
            x = pad_rows(prompts, left=True, device=device)
            return model.belief.generate(input_ids=x, attention_mask=(x != PAD).long(), do_sample=True,
                                         max_new_tokens=hidden_len, eos_token_id=EOS, pad_token_id=PAD)

        calls = {
            "representation h": lambda: [model.represent(tokens[c]) for c in chunks],
            "prediction f": lambda: [model.predict(x) for x in s],
            "afterstate phi": lambda: [model.afterstate(x, acts[c]) for x, c in zip(s, chunks)],
            "afterstate psi": lambda: [model.afterstate_predict(a) for a in after],
            "dynamics g": lambda: [model.dynamics(a, code) for a in after],
            f"generator G (K={k}, ours)": lambda: [sample_actions(model, x, k, generator=gen) for x in s],
            f"generator G (K={k}, generate())": lambda: [hf_generate_actions(x) for x in s],
            "belief b (ours)": lambda: [sample_hidden(model, obs[c], 1, max_len=hidden_len, generator=gen)
                                        for c in chunks],
            "belief b (generate())": lambda: [hf_generate_hidden(c) for c in chunks],
        }
        for name, fn in calls.items():
            rows.append({"game": game, "preset": preset_name, "call": name, "batch": B,
                         "per_s": _rate(fn, B * len(chunks))})
    return rows
