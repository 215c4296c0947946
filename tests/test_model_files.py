"""Model files round-trip exactly; a model for another game, config or vocabulary, or a damaged file, is refused
clearly."""
from __future__ import annotations

import dataclasses
import json

import pytest
import torch
from safetensors.torch import load_file, save_file

import games
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.files import CONFIG, WEIGHTS, load_model, save_model
from tokenizer import vocab


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(games.load("kuhn_poker")))
    return model, save_model(model, tmp_path_factory.mktemp("model"))


def test_round_trip_is_exact(saved):
    model, path = saved
    back = load_model(path, expect_game=model.spec, expect_config=model.cfg)
    for (name, a), (_, b) in zip(model.state_dict().items(), back.state_dict().items()):
        assert torch.equal(a, b), name
    tokens = torch.tensor([[1, 5, 3, 40, 2]])
    with torch.no_grad():
        assert torch.equal(model.represent(tokens), back.represent(tokens))


def test_another_game_is_refused(saved):
    _, path = saved
    with pytest.raises(ValueError, match="kuhn_poker.*not for leduc_poker"):
        load_model(path, expect_game=GameSpec.of(games.load("leduc_poker")))


def test_another_config_is_refused(saved):
    _, path = saved
    with pytest.raises(ValueError, match="width"):
        load_model(path, expect_config=preset("small"))


def test_another_vocabulary_is_refused(saved, tmp_path):
    model, path = saved
    data = json.loads((path / CONFIG).read_text())
    data["game"]["vocab_fingerprint"] = "0000000000000000"
    (tmp_path / CONFIG).write_text(json.dumps(data))
    (tmp_path / WEIGHTS).write_bytes((path / WEIGHTS).read_bytes())
    with pytest.raises(ValueError, match="vocabulary"):
        load_model(tmp_path)


def test_a_model_of_an_earlier_vocabulary_loads_and_refuses_words_added_since(tmp_path):
    """The vocabulary only grows at its end: a model that knows its first words reads the same ids, and a token it
    has no embedding for is refused in one line instead of failing deep inside."""
    older = vocab.size() - 5
    spec = dataclasses.replace(GameSpec.of(games.load("kuhn_poker")), vocab_size=older,
                               vocab_fingerprint=vocab.fingerprint(older))
    torch.manual_seed(0)
    back = load_model(save_model(Model(preset("tiny"), spec), tmp_path))
    assert back.spec.vocab_size == older
    tokens = torch.tensor([[vocab.ids()[vocab.BOS], 3, older - 1, vocab.ids()[vocab.SEP]]])
    back.represent(tokens)  # the words it knows
    with pytest.raises(ValueError, match=f"not in this model's vocabulary of {older} words: kuhn_poker's tokens "
                                         "changed after it was trained; train it again"):
        back.represent(torch.tensor([[vocab.ids()[vocab.BOS], older, vocab.ids()[vocab.SEP]]]))


def test_the_vocabulary_file_holds_every_word_the_code_says():
    assert vocab.unwritten() == [], "append these words to the end of tokenizer/vocab.txt"


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
def test_damaged_weights_are_refused(saved, tmp_path, damage):
    _, path = saved
    raw = (path / WEIGHTS).read_bytes()
    (tmp_path / CONFIG).write_text((path / CONFIG).read_text())
    (tmp_path / WEIGHTS).write_bytes(raw[:len(raw) // 2] if damage == "truncate" else b"not a tensor file" * 10)
    with pytest.raises(ValueError, match="safetensors"):
        load_model(tmp_path)


def test_weights_of_another_size_are_refused(saved, tmp_path):
    _, path = saved
    data = json.loads((path / CONFIG).read_text())
    data["model"]["width"] = 32
    (tmp_path / CONFIG).write_text(json.dumps(data))
    (tmp_path / WEIGHTS).write_bytes((path / WEIGHTS).read_bytes())
    with pytest.raises(ValueError, match="does not match its config"):
        load_model(tmp_path)


def test_malformed_or_missing_config(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.json"):
        load_model(tmp_path)
    (tmp_path / CONFIG).write_text("{not json")
    with pytest.raises(ValueError, match="malformed"):
        load_model(tmp_path)
    (tmp_path / CONFIG).write_text(json.dumps({"model": {"wdth": 3}, "game": {}}))
    with pytest.raises(ValueError, match="unknown model config fields"):
        load_model(tmp_path)


def test_presets_and_overrides_are_checked():
    assert preset("tiny").width < preset("small").width < preset("base").width
    with pytest.raises(ValueError, match="presets: tiny, small, base"):
        preset("huge")
    with pytest.raises(ValueError, match="unknown model config fields"):
        preset("tiny", depth=3)
    with pytest.raises(ValueError, match="multiple of heads"):
        preset("tiny", width=30)


def test_a_model_file_from_before_the_card_slot_module_loads(tmp_path):
    """Weights saved under the card slots' old names (card_slot, pointer_query, ... on the Model itself) load
    into agent.model.cards.CardSlots unchanged."""

    old_names = {"cards.start": "card_slot", "cards.drawn": "drawn", "cards.holding.": "holding_cards.",
                 "cards.query.": "pointer_query.", "cards.key.": "pointer_key.", "cards.same_suit.": "same_suit.",
                 "cards.same_rank.": "same_rank.", "cards.acted_on.": "acted_on.", "cards.card_codes.": "card_codes.",
                 "cards.code_cards.": "code_cards."}  # written out by hand, not taken from files.RENAMED

    def old(key: str) -> str:
        return next((o + key[len(n):] for n, o in old_names.items() if key.startswith(n)), key)

    torch.manual_seed(1)
    model = Model(preset("tiny"), GameSpec.of(games.load("crazy_eights")))
    save_model(model, tmp_path)
    tensors = load_file(tmp_path / WEIGHTS)
    assert any(k.startswith("cards.") for k in tensors)
    save_file({old(k): v for k, v in tensors.items()}, tmp_path / WEIGHTS)
    loaded = load_model(tmp_path)
    assert all(torch.equal(v, loaded.state_dict()[k]) for k, v in model.state_dict().items())


def test_a_model_file_from_before_the_playable_prior_loads_with_it_off(tmp_path):
    """A file without the playable head and its gate (models saved before them) loads them as zeros, which
    compute what those models computed; every other weight as saved."""
    model = Model(preset("tiny"), GameSpec.of(games.load("crazy_eights")))
    added = ("cards.play_gate",) + tuple(f"{head}.{i}.{w}" for head in ("cards.playable", "playable_head")
                                         for i in (0, 2) for w in ("weight", "bias"))  # by hand, not from files.py
    save_model(model, tmp_path)
    tensors = load_file(tmp_path / WEIGHTS)
    assert set(added) <= set(tensors)
    save_file({k: v for k, v in tensors.items() if k not in added}, tmp_path / WEIGHTS)
    loaded = load_model(tmp_path)
    for k, v in loaded.state_dict().items():
        assert torch.equal(v, torch.zeros_like(v) if k in added else model.state_dict()[k]), k
    with pytest.raises(ValueError, match="does not match its config: missing"):  # other weights are still required
        save_file({k: v for k, v in tensors.items() if k != "cards.key.weight"}, tmp_path / WEIGHTS)
        load_model(tmp_path)
