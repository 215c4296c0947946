"""An evaluation stopped part-way resumes: finished matches are kept in the run and read back only for the same
checkpoint, code and settings."""
from __future__ import annotations

import pytest

from agent.evaluation import match_store, report
from agent.training.loop import train
from scripts import evaluate
from tests.test_training import tiny_config


@pytest.fixture
def counted(tmp_path, monkeypatch):
    """A finished kuhn run under a clean commit, and a list that grows by one per match actually played."""
    run = tmp_path / "kuhn_poker"
    train(tiny_config(run), quiet=True)
    monkeypatch.setattr(match_store, "commit", lambda: "abc1234")
    played = []
    real = report.head_to_head

    def head_to_head(*args, **kw):
        played.append(args[3])
        return real(*args, **kw)

    monkeypatch.setattr(report, "head_to_head", head_to_head)
    return run, played


def _evaluate(run, *extra):
    return evaluate.main(["--run", str(run), "--episodes", "6", "--quality-positions", "0", "--wandb-mode", "disabled",
                          "--no-exploitability", "--opponents", "random", "--variants", "agent", *extra])


def test_a_second_evaluation_reads_the_kept_match_back(counted, capsys):
    run, played = counted
    first = _evaluate(run)["matches"]
    assert played == [6] and len(list((run / "eval" / "matches").glob("*.json"))) == 1
    again = _evaluate(run)["matches"]
    assert played == [6], "the kept match was played again"
    assert again == first  # the same figures, seat keys included
    assert "the match kept in" in capsys.readouterr().out


@pytest.mark.parametrize("change", [("--episodes", "4"), ("--play.simulations", "3"), ("--seed", "1"),
                                    ("--no-reuse",)])
def test_other_settings_or_no_reuse_play_the_match(counted, change):
    run, played = counted
    _evaluate(run)
    _evaluate(run, *change)
    assert len(played) == 2


def test_a_new_checkpoint_or_uncommitted_code_plays_again(counted, monkeypatch):
    run, played = counted
    _evaluate(run)
    train(tiny_config(run, steps=16, resume=True), quiet=True)  # four more updates: a new checkpoint
    _evaluate(run)
    assert len(played) == 2
    monkeypatch.setattr(match_store, "commit", lambda: "abc1234+")
    _evaluate(run)
    _evaluate(run)
    assert len(played) == 4  # code with uncommitted changes is not named by its commit: nothing reused


def test_a_damaged_kept_match_is_played_again(counted):
    run, played = counted
    _evaluate(run)
    (kept,) = (run / "eval" / "matches").glob("*.json")
    kept.write_text("{not json")
    again = _evaluate(run)["matches"]
    assert len(played) == 2 and again[0]["games"] == 6
    assert '"result"' in kept.read_text()  # rewritten whole
