"""Model files: weights as safetensors plus a JSON config, written atomically; loading checks game, vocabulary
and sizes."""
from __future__ import annotations

import dataclasses
import os
import pathlib
import tempfile

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from agent.model import Model
from agent.model.config import GameSpec, ModelConfig, from_json, to_json

WEIGHTS, CONFIG = "model.safetensors", "model.json"
# weights saved before the card slots had a module of their own (agent.model.cards): old name -> new name
RENAMED = {"card_slot": "cards.start", "drawn": "cards.drawn", "holding_cards.": "cards.holding.",
           "pointer_query.": "cards.query.", "pointer_key.": "cards.key.",
           **{f"{m}.": f"cards.{m}." for m in ("same_suit", "same_rank", "acted_on", "card_codes", "code_cards")}}
# Weights added since models were first saved (names or name prefixes), whose zeros make the model compute what an
# older one did (a zero gate turns the playable prior off): a file without them loads them as zeros.
ADDED_AS_ZERO = ("cards.play_gate", "cards.playable.", "playable_head.")


def atomic_write(path: pathlib.Path, write) -> None:
    """Call `write(tmp_path)` on a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_model(model: Model, directory: str | os.PathLike) -> pathlib.Path:
    """Write `model.safetensors` and `model.json` into `directory` (each atomically); returns the directory."""
    directory = pathlib.Path(directory)
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    atomic_write(directory / WEIGHTS, lambda tmp: save_file(tensors, tmp))
    atomic_write(directory / CONFIG, lambda tmp: pathlib.Path(tmp).write_text(to_json(model.cfg, model.spec)))
    return directory


def read_config(directory: str | os.PathLike) -> tuple[ModelConfig, GameSpec]:
    """The model config and game spec saved in `directory`; clear errors when missing or malformed."""
    path = pathlib.Path(directory) / CONFIG
    if not path.is_file():
        raise FileNotFoundError(f"no model config at {path} (a model directory holds {WEIGHTS} and {CONFIG})")
    try:
        return from_json(path.read_text())
    except ValueError as e:
        raise ValueError(f"{path}: {e}") from None


def load_model(directory: str | os.PathLike, *, expect_game: GameSpec | None = None,
               expect_config: ModelConfig | None = None, device: str | torch.device = "cpu") -> Model:
    """The model saved in `directory`; ValueError if it was made for another game, vocabulary or config."""
    directory = pathlib.Path(directory)
    cfg, spec = read_config(directory)
    from tokenizer import vocab

    if spec.vocab_size > vocab.size() or spec.vocab_fingerprint != vocab.fingerprint(spec.vocab_size):
        raise ValueError(f"{directory} was trained on vocabulary {spec.vocab_fingerprint} ({spec.vocab_size} words), "
                         f"which is not a beginning of this code's ({vocab.fingerprint()}, {vocab.size()} words): "
                         "token ids would mean different words")
    if expect_game is not None and (spec.game, spec.params, spec.num_players) != (
            expect_game.game, expect_game.params, expect_game.num_players):
        raise ValueError(f"{directory} holds a model for {spec.game} {spec.params}, "
                         f"not for {expect_game.game} {expect_game.params}")
    if expect_game is not None and spec != expect_game:
        diff = {f.name: (getattr(spec, f.name), getattr(expect_game, f.name)) for f in dataclasses.fields(spec)
                if getattr(spec, f.name) != getattr(expect_game, f.name)}
        raise ValueError(f"{directory} was made by another version of this code: its game spec differs from this "
                         f"code's; (saved, this code's) by field: {diff}; start a new run")
    if expect_config is not None and expect_config != cfg:
        diff = {f.name: (getattr(cfg, f.name), getattr(expect_config, f.name)) for f in dataclasses.fields(cfg)
                if getattr(cfg, f.name) != getattr(expect_config, f.name)}
        raise ValueError(f"{directory} holds a model with another config; (saved, expected) by field: {diff}")
    path = directory / WEIGHTS
    if not path.is_file():
        raise FileNotFoundError(f"no model weights at {path}")
    try:
        tensors = load_file(path)
    except (SafetensorError, OSError) as e:
        raise ValueError(f"{path} is not a readable safetensors file (corrupt or half-written?): {e}") from None
    tensors = {_renamed(k): v for k, v in tensors.items()}
    model = Model(cfg, spec)
    own = model.state_dict()
    tensors |= {k: torch.zeros_like(v) for k, v in own.items()
                if k not in tensors and any(_under(k, name) for name in ADDED_AS_ZERO)}
    missing = sorted(set(own) - set(tensors))
    unexpected = sorted(set(tensors) - set(own))
    wrong = sorted(k for k, v in tensors.items() if k in own and own[k].shape != v.shape)
    if missing or unexpected or wrong:
        raise ValueError(f"{path} does not match its config: missing {missing[:5]}, unexpected {unexpected[:5]}, "
                         f"wrong shape {wrong[:5]}")
    model.load_state_dict(tensors)
    return model.to(device)


def _under(key: str, name: str) -> bool:
    """Whether weight `key` is `name`, or lies under it where `name` is a prefix (ends with '.')."""
    return key == name or (name.endswith(".") and key.startswith(name))


def _renamed(key: str) -> str:
    """A weight's name in this code's model, for a name an older model file may use."""
    for old, new in RENAMED.items():
        if _under(key, old):
            return new + key[len(old):]
    return key
