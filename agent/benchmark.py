"""Measures the model: parameters per preset and latents per second of each network call at several batch sizes.

Inputs are real: full-state tokens of states from random play of the game, and
the actions taken there. The two samplers are also timed against
transformers' `generate()` doing the same job (K sampled draws, deduplicated,
for G; one hidden sample per row for b). An untrained model rarely says `<eos>`,
so b runs to the longest real hidden length: the figures are a worst case.
"""
from __future__ import annotations

import random
import time

import torch

import games
from agent.batch import full_tokens, play_random, trace
from agent.config import PRESETS, GameSpec, preset
from agent.model import EOS, PAD, Model, parameter_count
from agent.sampling import sample_actions, sample_hidden
from tokenizer.tokenizer import Tokenizer


def _rate(fn, rows: int, min_seconds: float = 0.3) -> float:
    """Rows per second of `fn()` (after one warm-up call)."""
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
    width = max(map(len, full))
    hidden_len = max(len(tok.encode_hidden(s, s.current_player())) for s in states) + 1  # both samplers stop here
    tokens = torch.tensor([r + [PAD] * (width - len(r)) for r in full], device=device)
    acts = torch.tensor([a + [PAD] * (A - len(a)) for a in actions], device=device)
    gen = torch.Generator(device=device).manual_seed(seed)
    rows = []
    for B in batches:
        s = model.represent(tokens[:B])
        after = model.afterstate(s, acts[:B])
        code = model.one_hot_code(torch.zeros(B, dtype=torch.long, device=device))
        prefix = model.generator_prefix(s)
        ids = tokens[:B]

        def hf_generate_actions():
            out = model.generator.generate(inputs_embeds=prefix, do_sample=True, max_new_tokens=A,
                                           num_return_sequences=k, eos_token_id=EOS, pad_token_id=PAD)
            return [set(map(tuple, out[i * k:(i + 1) * k].tolist())) for i in range(B)]

        def hf_generate_hidden():
            prompts = [o + [tok.sep] for o in obs[:B]]
            T = max(map(len, prompts))
            x = torch.tensor([[PAD] * (T - len(p)) + p for p in prompts], device=device)
            return model.belief.generate(input_ids=x, attention_mask=(x != PAD).long(), do_sample=True,
                                         max_new_tokens=hidden_len, eos_token_id=EOS, pad_token_id=PAD)

        calls = {
            "representation h": lambda: model.represent(ids),
            "prediction f": lambda: model.predict(s),
            "afterstate phi": lambda: model.afterstate(s, acts[:B]),
            "afterstate psi": lambda: model.afterstate_predict(after),
            "dynamics g": lambda: model.dynamics(after, code),
            f"generator G (K={k}, ours)": lambda: sample_actions(model, s, k, generator=gen),
            f"generator G (K={k}, generate())": hf_generate_actions,
            "belief b (ours)": lambda: sample_hidden(model, obs[:B], 1, max_len=hidden_len, generator=gen),
            "belief b (generate())": hf_generate_hidden,
        }
        for name, fn in calls.items():
            rows.append({"game": game, "preset": preset_name, "call": name, "batch": B, "per_s": _rate(fn, B)})
    return rows
