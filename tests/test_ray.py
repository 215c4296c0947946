"""Self-play on Ray actors: the same run as in one process, resumable, and unharmed by an actor's death.

Needs the `cardzero[ray]` extra; skipped without it. One local Ray instance serves the whole module."""
import json
import os
import signal
import subprocess
import sys

import pytest
import torch

ray = pytest.importorskip("ray", reason="Ray is not installed (the cardzero[ray] extra): no Ray actor tests")

import games  # noqa: E402
from agent.agent import load_agent  # noqa: E402
from agent.episodes import Episode  # noqa: E402
from agent.model.config import preset  # noqa: E402
from agent.rundir import RunDir  # noqa: E402
from agent.training.loop import train  # noqa: E402
from agent.training.ray_actors import RayActors, start_ray  # noqa: E402
from tests.test_training import tiny_config, weights  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """One local Ray instance with 2 CPUs, and the learner on one thread, as a 2-actor run has it on this
    machine (the learner's arithmetic depends on its thread count)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ray.init(address="local", num_cpus=2, logging_level="WARNING")
    yield
    ray.shutdown()
    torch.set_num_threads(threads)


def replay_text(run) -> str:
    return (RunDir(run).latest() / "replay.jsonl").read_text()


def test_two_actors_train_the_same_run_as_one_process_and_resume(tmp_path):
    local = train(tiny_config(tmp_path / "local", shards=2, lr_decay_steps=12), quiet=True)
    first = train(tiny_config(tmp_path / "ray", steps=8, actors=2, lr_decay_steps=12), quiet=True)
    assert first.updates == 8 and first.cfg.shards == 2  # shards default to the number of actors
    assert load_agent(tmp_path / "ray").adapter.name == "kuhn_poker"  # its checkpoint loads
    resumed = train(tiny_config(tmp_path / "ray", steps=12, actors=2, resume=True), quiet=True)
    assert (resumed.updates, resumed.games) == (local.updates, local.games) == (12, 18)
    assert replay_text(tmp_path / "ray") == replay_text(tmp_path / "local")
    a, b = weights(tmp_path / "ray"), weights(tmp_path / "local")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_killed_actor_is_restarted_and_its_games_played_again(tmp_path, monkeypatch):
    """Kill one actor's process while it plays (the learner has just handed it the next games): Ray restarts
    it, its shard is played again from its seed, and the run ends with the games of an undisturbed run."""
    from agent.training.trainer import Trainer

    learn, killed = Trainer.learn, []

    def learn_then_kill(self):
        if self.iteration == 1 and not killed:
            killed.append(self.actor.pids()[1])
            os.kill(killed[0], signal.SIGKILL)
        return learn(self)

    monkeypatch.setattr(Trainer, "learn", learn_then_kill)
    run = train(tiny_config(tmp_path / "faulty", actors=2), quiet=True)
    monkeypatch.undo()
    assert killed and run.updates == 12
    train(tiny_config(tmp_path / "whole", actors=2), quiet=True)
    assert replay_text(tmp_path / "faulty") == replay_text(tmp_path / "whole")
    a, b = weights(tmp_path / "faulty"), weights(tmp_path / "whole")
    assert all(torch.equal(a[k], b[k]) for k in a)
    adapter = games.load("kuhn_poker")
    episodes = [Episode.from_json(json.loads(line)) for line in replay_text(tmp_path / "faulty").splitlines()]
    assert len(episodes) == run.games
    for episode in episodes:  # every episode is a whole game under the real rules, with a policy per decision
        state, decisions = adapter.new_initial_state(), 0
        for action in episode.history:
            decisions += not state.is_chance_node()
            state.apply_action(action)
        assert state.is_terminal() and len(episode.policies) == decisions


def test_more_actors_than_cpus_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"--actors 3 needs 3 CPUs, one per actor; this machine gives Ray 2$"):
        start_ray(None, 3)


def test_an_actor_sees_no_gpu_and_a_failing_one_is_an_error_that_says_so():
    actors = RayActors(1, "kuhn_poker", preset("tiny"), tiny_config(None).selfplay, address=None, seed=0, games_n=2,
                       temperature=1.0, device=torch.device("cpu"))
    try:
        seen = ray.get(actors.workers[0].__ray_call__.remote(lambda self: os.environ.get("CUDA_VISIBLE_DEVICES")))
        assert seen == ""  # so no actor allocates on the learner's GPU
        actors.submit({}, 1)  # weights that do not fit the model
        with pytest.raises(RuntimeError, match="self-play failed on a Ray actor"):
            actors.result()
    finally:
        actors.close()


@pytest.mark.slow
def test_a_run_joins_a_cluster_by_its_address_and_its_token(tmp_path):
    """`ray start --head` (with token authentication, as Ray 2.5x starts it), then scripts.train joins it with
    --ray-address: without the token it stops in one line that says what to do; with it, it trains."""
    ray_cli = [sys.executable, "-m", "ray.scripts.scripts"]
    env = os.environ | {"RAY_AUTH_MODE": "token", "WANDB_MODE": "disabled"}
    subprocess.run(ray_cli + ["start", "--head", "--num-cpus", "1", "--port", "6391", "--disable-usage-stats",
                              "--include-dashboard", "false"], check=True, env=env, capture_output=True)
    try:
        train = [sys.executable, "-m", "scripts.train", "--game", "kuhn_poker", "--preset", "tiny", "--steps", "4",
                 "--updates-per-iteration", "4", "--games-per-iteration", "2", "--selfplay.simulations", "2",
                 "--final-games", "0", "--no-final-exploitability", "--no-choose-play", "--actors", "1",
                 "--ray-address", "127.0.0.1:6391"]
        refused = subprocess.run(train + ["--out", str(tmp_path / "refused")], capture_output=True, text=True,
                                 env=env | {"RAY_AUTH_MODE": "disabled"})
        assert refused.returncode != 0 and "export RAY_AUTH_MODE=token" in refused.stderr.splitlines()[-1]
        done = subprocess.run(train + ["--out", str(tmp_path / "run")], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr[-2000:]
        assert load_agent(tmp_path / "run").adapter.name == "kuhn_poker"
    finally:
        subprocess.run(ray_cli + ["stop"], env=env, capture_output=True)
