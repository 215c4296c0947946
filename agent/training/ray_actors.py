"""Self-play on Ray actors (`scripts.train --actors N [--ray-address ADDR]`, the `cardzero[ray]` extra).

N Ray actors, one CPU each, play an iteration's shards (agent.training.selfplay) with the weights the learner
puts in Ray's object store once per iteration; shard j goes to actor j mod N, and each plays its shard's games
through one batched search. The learner stays in this process, on its GPU where there is one: the actors ask for
no GPU and see none (their CUDA_VISIBLE_DEVICES is empty), so none of their memory lands on the learner's device.

Faults: an actor whose process dies (killed, or its node lost) is restarted by Ray, which runs its unfinished
calls again. A shard's games come from its seed alone, so the replayed shard gives the same games and replay
only ever receives whole shards; the run goes on as if nothing had happened.
"""
from __future__ import annotations

import logging
import os

import ray
import torch

from agent.device import available_cpus
from agent.episodes import Episode
from agent.model.config import ModelConfig
from agent.search.config import SearchConfig
from agent.training.actor import InlineActor
from agent.training.selfplay import merge_shards

RESTARTS = 8  # an actor that dies this many times in a run is an error, not bad luck (a crash in its constructor)


# One CPU and no GPU; Ray leaves CUDA_VISIBLE_DEVICES alone for an actor without GPUs, so it is emptied here.
@ray.remote(num_cpus=1, num_gpus=0, max_restarts=RESTARTS, max_task_retries=-1,
            runtime_env={"env_vars": {"CUDA_VISIBLE_DEVICES": ""}})
class SelfPlayWorker:
    """One Ray actor: an InlineActor on one CPU thread, playing the shards it is given."""

    def __init__(self, game: str, model_cfg: ModelConfig, search: SearchConfig, kw: dict):
        torch.set_num_threads(1)
        self.actor = InlineActor(game, model_cfg, search, **kw)

    def play(self, weights: dict[str, torch.Tensor], batch: int, shard: int) -> tuple[list[Episode], dict]:
        """Shard `shard` of the games that enter replay at iteration `batch` (agent.training.selfplay.play_shard)."""
        return self.actor.play(weights, batch, [shard])[0]

    def pid(self) -> int:
        """This actor's process id (what a fault test kills)."""
        return os.getpid()


class RayActors:
    """N self-play actors on Ray behind the actor interface (`submit`, `result`, `close`)."""

    def __init__(self, n: int, game: str, model_cfg: ModelConfig, search: SearchConfig, *, address: str | None,
                 seed: int, games_n: int, temperature: float, device: torch.device, shards: int = 1,
                 game_params: dict | None = None):
        self.started_ray = start_ray(address, n)
        self.shards = shards
        kw = dict(seed=seed, games_n=games_n, temperature=temperature, device=torch.device("cpu"), shards=shards,
                  game_params=game_params)
        self.workers = [SelfPlayWorker.remote(game, model_cfg, search, kw) for _ in range(n)]
        self._threads = torch.get_num_threads()
        if address is None and device.type == "cpu":  # a local cluster: the actors' CPUs are this machine's
            torch.set_num_threads(max(1, available_cpus() - n))
        self._pending: list | None = None

    def submit(self, weights: dict[str, torch.Tensor], batch: int) -> None:
        """Start the games that enter replay at iteration `batch`: the weights go to the object store once."""
        ref = ray.put({k: v.detach().cpu() for k, v in weights.items()})
        self._pending = [self.workers[j % len(self.workers)].play.remote(ref, batch, j) for j in range(self.shards)]

    def result(self) -> tuple[list[Episode], dict]:
        """Wait for every shard of the last `submit`; `seconds` is the busiest actor's playing time."""
        if self._pending is None:
            raise RuntimeError("result() without a submit(): no games are being played")
        pending, self._pending = self._pending, None
        try:
            shards = ray.get(pending)
        except ray.exceptions.RayTaskError as e:
            raise RuntimeError(f"self-play failed on a Ray actor:\n{e}") from None
        except ray.exceptions.RayActorError as e:
            raise RuntimeError(f"a self-play Ray actor is gone (it could not start, or died more than {RESTARTS} "
                               f"times): {e}") from None
        busy = [0.0] * len(self.workers)
        for j, (_, stats) in enumerate(shards):
            busy[j % len(self.workers)] += stats["seconds"]
        return merge_shards(shards, max(busy))

    def pids(self) -> list[int]:
        """The actors' process ids, in actor order."""
        return ray.get([w.pid.remote() for w in self.workers])

    def close(self) -> None:
        """Stop the actors (and the local Ray instance this run started); give the learner its threads back."""
        for worker in self.workers:
            ray.kill(worker, no_restart=True)
        self.workers = []
        if self.started_ray:
            ray.shutdown()
        torch.set_num_threads(self._threads)


def start_ray(address: str | None, actors: int) -> bool:
    """Join the cluster at `address`, or start a local Ray sized to the CPUs this process may use (the container's
    quota counts, agent.device.available_cpus), unless Ray is running already; refuses, in one line, more actors
    than the cluster has CPUs for (they would wait forever). Returns whether it started Ray here."""
    started = not ray.is_initialized()
    if started:
        try:
            if address is None:
                # "local": a new instance, even where `ray start` left one running on this machine
                ray.init(address="local", num_cpus=available_cpus(), logging_level=logging.WARNING)
            else:
                ray.init(address=address, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as e:
            hint = ""
            if address is not None and os.environ.get("RAY_AUTH_MODE") != "token":  # what Ray 2.5x clusters ask
                hint = ("; if the cluster asks for its token, export RAY_AUTH_MODE=token and copy the head node's "
                        "~/.ray/auth_token here (docs/cluster.md)")
            raise ValueError(f"cannot start or join Ray (--ray-address {address}): {e}{hint}") from None
    cpus = ray.cluster_resources().get("CPU", 0)
    if actors > cpus:
        if started:
            ray.shutdown()
        where = f"the cluster at {address}" if address else "this machine"
        raise ValueError(f"--actors {actors} needs {actors} CPUs, one per actor; {where} gives Ray {cpus:g}")
    return started
