"""The self-play actor: a worker process plays the same games as the learner's own process, and fails loudly."""
import os
import signal

import pytest
import torch

from agent.model.config import preset
from agent.rundir import RunDir
from agent.training.actor import ProcessActor, make_actor
from agent.training.loop import train
from tests.test_training import tiny_config, weights


def test_a_worker_process_plays_the_same_run_as_the_learners_process(tmp_path):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the learner beside a worker has one thread fewer; same arithmetic on both sides
    try:
        runs = {actor: train(tiny_config(tmp_path / actor, actor=actor), quiet=True) for actor in ("inline", "process")}
    finally:
        torch.set_num_threads(threads)
    assert torch.get_num_threads() == threads  # the worker's thread is given back when the run ends
    assert runs["inline"].games == runs["process"].games > 0
    replay = {a: (RunDir(tmp_path / a).latest() / "replay.jsonl").read_text() for a in runs}
    assert replay["inline"] == replay["process"]
    a, b = weights(tmp_path / "inline"), weights(tmp_path / "process")
    assert all(torch.equal(a[k], b[k]) for k in a)


def _actor() -> ProcessActor:
    cfg = tiny_config(None)
    return make_actor("process", "kuhn_poker", preset("tiny"), cfg.selfplay, seed=0, games_n=2, temperature=1.0,
                      device=torch.device("cpu"))


def test_a_dead_worker_is_an_error_that_says_so():
    actor = _actor()
    actor.submit({})  # weights that do not fit the model: the worker reports the failure, and goes on
    with pytest.raises(RuntimeError, match="self-play failed in the worker process"):
        actor.result()
    os.kill(actor._proc.pid, signal.SIGKILL)
    actor._proc.wait()
    with pytest.raises(RuntimeError, match="self-play worker (has stopped|died)"):
        actor.submit({})
        actor.result()
    actor.close()


def test_the_worker_stops_when_the_learner_is_gone():
    actor = _actor()
    actor._conn.close()  # what a learner killed with -9 leaves behind
    assert actor._proc.wait(timeout=30) == 0


def test_unknown_actor_placement_is_refused():
    with pytest.raises(ValueError, match="actor must be auto, process or inline"):
        make_actor("threads", "kuhn_poker", preset("tiny"), tiny_config(None).selfplay, seed=0, games_n=1,
                   temperature=1.0, device=torch.device("cpu"))
