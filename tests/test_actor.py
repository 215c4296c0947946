"""The self-play actor: a worker process plays the same games as the learner's own process, and fails loudly;
shards of an iteration's games are the same whoever plays them."""
import importlib.util
import os
import signal

import pytest
import torch

from agent.model.config import preset
from agent.rundir import RunDir
from agent.training.actor import ProcessActor, make_actor
from agent.training.loop import train
from agent.training.selfplay import shard_sizes
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
    actor.submit({}, 1)  # weights that do not fit the model: the worker reports the failure, and goes on
    with pytest.raises(RuntimeError, match="self-play failed in the worker process"):
        actor.result()
    os.kill(actor._proc.pid, signal.SIGKILL)
    actor._proc.wait()
    with pytest.raises(RuntimeError, match="self-play worker (has stopped|died)"):
        actor.submit({}, 1)
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


def test_a_shard_plays_the_same_games_alone_as_among_the_others():
    """Shard 1 of an iteration, played by itself (as a second actor would), gives the games the whole iteration
    holds in its place; its sibling shard, seeded otherwise, plays other games."""
    cfg = tiny_config(None)
    actor = make_actor("inline", "kuhn_poker", preset("tiny"), cfg.selfplay, seed=0, games_n=7, shards=2,
                       temperature=1.0, device=torch.device("cpu"))
    weights = actor.agent.model.state_dict()
    actor.submit(weights, 3)
    episodes, stats = actor.result()
    assert [len(e) for e, _ in actor.play(weights, 3, [0, 1])] == shard_sizes(7, 2) == [4, 3]
    alone, alone_stats = actor.play(weights, 3, [1])[0]
    assert episodes[4:] == alone and episodes[:4] != episodes[4:7]
    assert stats["games"] == 7 and stats["decisions"] == sum(len(p.policies) for p in episodes)
    assert actor.play(weights, 4, [1])[0][0] != alone  # the next iteration's shard 1 plays other games


def test_shards_are_even_and_no_more_than_the_games():
    assert shard_sizes(16, 3) == [6, 5, 5] and shard_sizes(2, 2) == [1, 1]
    with pytest.raises(ValueError, match=r"shards must be between 1 and the games per iteration \(2\), got 3"):
        shard_sizes(2, 3)
    with pytest.raises(ValueError, match="shards must be at most games_per_iteration"):
        tiny_config(None, shards=7)


def test_ray_actors_without_ray_installed_are_refused_in_one_line(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    with pytest.raises(ValueError, match=r"actors 2 needs Ray, which is not installed: pip install -e '\.\[ray\]'"):
        tiny_config(None, actors=2)
    with pytest.raises(ValueError, match="ray_address needs actors"):
        tiny_config(None, ray_address="auto")
