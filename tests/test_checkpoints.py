"""Checkpoints verify against their manifests, and every reader falls back to the newest one that does: --resume
continues from it exactly, scripts.evaluate and load_agent play its model, each with a warning naming what was
skipped and why; only a run with no verifying checkpoint is refused, in one line."""
from __future__ import annotations

import json
import logging
import shutil

import pytest
import torch
from safetensors.torch import load_file

from agent.agent import load_agent
from agent.manifest import MANIFEST, problem
from agent.rundir import WARNED, RunDir
from agent.training.loop import train
from scripts import evaluate
from scripts import train as train_script
from tests.test_bad_input import refused
from tests.test_training import tiny_config

EVAL = ["--episodes", "2", "--quality-positions", "2", "--opponents", "random", "--variants", "agent",
        "--no-exploitability", "--wandb-mode", "disabled"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs of the same command: "whole" to 12 updates, "part" stopped at 8 (checkpoints ckpt-000001 and 2),
    both on a learning-rate schedule of 12 updates."""
    base = tmp_path_factory.mktemp("runs")
    train(tiny_config(base / "whole", steps=12, lr_decay_steps=12), quiet=True)
    train(tiny_config(base / "part", steps=8, lr_decay_steps=12), quiet=True)
    return base


@pytest.fixture
def part(runs, tmp_path):
    """A fresh copy of the run stopped at 8 updates, to damage (and no warning given yet in this process)."""
    WARNED.clear()
    return shutil.copytree(runs / "part", tmp_path / "run")


def weights(path) -> dict:
    return load_file(path / "model" / "model.safetensors")


def same_weights(a, b) -> bool:
    a, b = weights(a), weights(b)
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def plays(agent, checkpoint) -> bool:
    """Whether `agent` holds the weights of `checkpoint`'s model."""
    held = {k: v.cpu() for k, v in agent.model.state_dict().items()}
    saved = weights(checkpoint)
    return held.keys() == saved.keys() and all(torch.equal(held[k], saved[k]) for k in saved)


def damage(path, keep: int = 100) -> None:
    """Truncate a file to `keep` bytes, as a full disk would."""
    path.write_bytes(path.read_bytes()[:keep])


def test_the_manifest_names_every_file_with_its_hash(part):
    ckpt = RunDir(part).latest()
    names = set(json.loads((ckpt / MANIFEST).read_text()))
    assert names == {p.relative_to(ckpt).as_posix() for p in ckpt.rglob("*") if p.is_file() and p.name != MANIFEST}
    assert {"model/model.safetensors", "model/model.json", "trainer.pt", "replay.jsonl"} <= names
    assert problem(ckpt) is None
    data = bytearray((ckpt / "replay.jsonl").read_bytes())
    data[len(data) // 2] ^= 1  # one bit flipped
    (ckpt / "replay.jsonl").write_bytes(bytes(data))
    assert problem(ckpt) == "replay.jsonl does not match its manifest"
    assert problem(ckpt, under="model/") is None  # a reader of the model alone is not concerned
    (ckpt / "model" / "model.json").unlink()
    assert problem(ckpt, under="model/") == "model/model.json is missing"
    (ckpt / MANIFEST).unlink()
    assert problem(ckpt) == f"no {MANIFEST}"


def test_resume_skips_a_damaged_newest_checkpoint_and_continues_exactly(runs, part, capsys, caplog):
    damage(part / "ckpt-000002" / "trainer.pt")
    with caplog.at_level(logging.WARNING):
        train_script.main(["--out", str(part), "--resume", "--steps", "12", "--final-games", "0",
                           "--no-final-exploitability"])
    assert caplog.messages == ["warning: using ckpt-000001, skipping the newer ckpt-000002 (trainer.pt does not "
                               "match its manifest)"]
    first = capsys.readouterr().out.split("it ", 1)[1]
    assert first.startswith("2 |")  # it went on from iteration 1
    assert RunDir(part).latest().name == "ckpt-000003"
    assert same_weights(RunDir(part).latest(), RunDir(runs / "whole").latest())
    assert (RunDir(part).latest() / "replay.jsonl").read_text() == (
        RunDir(runs / "whole").latest() / "replay.jsonl").read_text()


@pytest.mark.parametrize("pointer, says", [
    (None, "is missing"),
    ("ckpt-000009\n", "names ckpt-000009"),
    ("ckpt-000001\n", "names ckpt-000001"),  # killed between renaming a checkpoint into place and naming it
])
def test_a_missing_or_stale_latest_falls_back_to_the_newest_checkpoint(part, caplog, pointer, says):
    (part / "LATEST").unlink()
    if pointer:
        (part / "LATEST").write_text(pointer)
    with caplog.at_level(logging.WARNING):
        assert RunDir(part).checkpoint() == part / "ckpt-000002"
    assert caplog.messages == [f"warning: using ckpt-000002, the newest checkpoint that verifies: {part / 'LATEST'} "
                               f"{says}"]


def test_evaluate_and_load_agent_play_the_newest_model_that_verifies(runs, part, caplog):
    damage(part / "ckpt-000002" / "replay.jsonl")  # not the model: the newest model is still good
    with caplog.at_level(logging.WARNING):
        agent = load_agent(part)
    assert caplog.messages == []
    assert plays(agent, part / "ckpt-000002")
    damage(part / "ckpt-000002" / "model" / "model.safetensors")
    said = ["warning: using ckpt-000001, skipping the newer ckpt-000002 (model/model.safetensors does not match its "
            "manifest)"]
    with caplog.at_level(logging.WARNING):
        agent = load_agent(part)
        load_agent(part)
    assert caplog.messages == said  # once, however often the process loads the run
    caplog.clear()
    WARNED.clear()
    with caplog.at_level(logging.WARNING):
        evaluate.main(["--run", str(part)] + EVAL)
    assert caplog.messages == said
    assert plays(agent, part / "ckpt-000001") and not plays(agent, runs / "part" / "ckpt-000002")


def test_a_run_with_no_verifying_checkpoint_is_refused_in_one_line_and_left_alone(part, capsys):
    damage(part / "ckpt-000002" / "model" / "model.json", keep=10)
    (part / "ckpt-000001" / MANIFEST).write_text("[]")
    before = {p: p.read_bytes() for p in part.rglob("*") if p.is_file()}
    said = refused(capsys, train_script.main, ["--out", str(part), "--resume", "--steps", "12"])
    assert said == (f"error: no checkpoint in {part} verifies: ckpt-000002 (model/model.json does not match its "
                    f"manifest); ckpt-000001 (its {MANIFEST} is not a map of file names to hashes)")
    said = refused(capsys, evaluate.main, ["--run", str(part)] + EVAL)
    assert said.startswith(f"error: no checkpoint in {part} verifies: ckpt-000002 (model/model.json does not match")
    assert {p: p.read_bytes() for p in part.rglob("*") if p.is_file()} == before  # nothing written, nothing lost


def test_a_checkpoint_from_before_manifests_is_used_with_a_warning(part, caplog):
    for ckpt in part.glob("ckpt-*"):
        (ckpt / MANIFEST).unlink()
    with caplog.at_level(logging.WARNING):
        assert RunDir(part).checkpoint() == part / "ckpt-000002"
    assert caplog.messages == [f"warning: {part / 'ckpt-000002'} has no {MANIFEST} (written before checkpoints "
                               "carried one): its files are used unverified"]
