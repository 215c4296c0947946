"""Bad input on the command line gets one line that names the option or file, what is wrong and what is
accepted: no traceback, a non-zero exit, and nothing written."""
from __future__ import annotations

import json

import pytest
import torch

from agent.manifest import write_manifest
from agent.rundir import RunDir
from agent.training.loop import train
from scripts import benchmark, evaluate
from scripts import train as train_script
from tests.test_training import tiny_config

TINY = ["--game", "kuhn_poker", "--preset", "tiny", "--wandb-mode", "disabled", "--device", "cpu"]


def flat(text: str) -> str:
    """tyro's boxed message as one line: the box's borders dropped, the wrapping undone."""
    return " ".join(text.replace("│", " ").split())


def refused(capsys, main, argv) -> str:
    """Run `main(argv)`, require a non-zero exit, and return what it said (the exit message or stderr)."""
    with pytest.raises(SystemExit) as stop:
        main(argv)
    said = stop.value.code if isinstance(stop.value.code, str) else capsys.readouterr().err
    assert stop.value.code not in (0, None) and "Traceback" not in said
    return said


@pytest.mark.parametrize("flags, says", [
    (["--batch-size", "0"], "batch_size must be at least 1, got 0"),
    (["--steps", "-1"], "steps must be at least 1, got -1"),
    (["--selfplay.simulations", "0"], "simulations, particles and repeats must be >= 1, got 0"),
    (["--lr", "nan"], "lr must be a finite number > 0, got nan"),
    (["--preset", "huge"], "preset must be auto or one of tiny, small, base, got 'huge'"),
])
def test_a_bad_option_is_refused_before_anything_is_written(tmp_path, capsys, flags, says):
    out = tmp_path / "run"
    said = refused(capsys, train_script.main, TINY + ["--out", str(out)] + flags)
    assert says in flat(said), said
    assert not out.exists()


def test_a_config_file_of_the_wrong_types_is_refused(tmp_path, capsys):
    path, out = tmp_path / "config.json", tmp_path / "run"
    path.write_text(json.dumps({"steps": "many"}))
    said = refused(capsys, train_script.main, ["--config", str(path), "--out", str(out)])
    assert said == f"cannot load --config {path}: {path}: steps must be an integer, got 'many'"
    assert not out.exists()


def test_out_into_a_folder_that_is_not_a_run_is_refused_and_left_alone(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own file")
    said = refused(capsys, train_script.main, TINY + ["--out", str(out), "--steps", "4"])
    assert said == (f"error: {out} is a folder with other files in it, not a run directory (no config.json); "
                    "choose a new or empty --out")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_resume_with_another_config_is_refused(tmp_path, capsys):
    path = tmp_path / "other.json"
    path.write_text("{}")
    said = refused(capsys, train_script.main, ["--out", str(tmp_path / "run"), "--resume", "--config", str(path)])
    assert said == "error: --resume continues with the run's own config.json; it cannot take --config as well"


def test_resume_from_a_truncated_trainer_state_says_which_file(tmp_path, capsys):
    """A trainer.pt that verifies against its manifest but cannot be read (another version's, say)."""
    train(tiny_config(tmp_path / "run", steps=4), quiet=True)
    state = RunDir(tmp_path / "run").latest() / "trainer.pt"
    state.write_bytes(state.read_bytes()[:100])
    write_manifest(state.parent)
    said = refused(capsys, train_script.main, ["--out", str(tmp_path / "run"), "--resume", "--steps", "8"])
    assert said.startswith(f"error: {state} is corrupt or from another version: ")
    assert "\n" not in said


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("main, argv", [
    (evaluate.main, ["--run", "nowhere", "--device", "cuda"]),
    (benchmark.main, benchmark.Args(sections=("model",), device="cuda")),
])
def test_cuda_on_a_machine_without_it(capsys, main, argv):
    said = refused(capsys, main, argv)
    assert said == "error: --device cuda was asked for, but torch sees no CUDA device"


def test_evaluate_with_no_games_is_refused_and_keeps_the_old_results(tmp_path, capsys):
    run = tmp_path / "run"
    train(tiny_config(run, steps=4), quiet=True)
    (run / "eval").mkdir()
    (run / "eval" / "results.json").write_text("earlier results")
    said = refused(capsys, evaluate.main, ["--run", str(run), "--episodes", "0", "--wandb-mode", "disabled"])
    assert "episodes must be an integer of at least 1, got 0" in flat(said)
    assert (run / "eval" / "results.json").read_text() == "earlier results"
