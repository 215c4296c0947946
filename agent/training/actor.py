"""The self-play actor: plays one iteration's games with the weights it is handed, in the learner's process, in a
worker process beside it, or on Ray actors (agent.training.ray_actors), so that the next iteration's games are
played while the learner learns.

Every kind answers the same two calls (`submit` weights and the iteration the games are for, then `result`) with
the same games: an iteration's games are shards whose random streams come from the run's seed, the iteration
and the shard (agent.training.selfplay.play_shard), so where the shards are played changes nothing but the time,
and a checkpoint needs no actor state. The weights are copied at `submit`, so the learner may change its own at
once.
"""
from __future__ import annotations

import os
import pathlib
import pickle
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterable
from multiprocessing.connection import Connection, Pipe
from typing import TYPE_CHECKING, Literal

import torch

import games
from agent.agent import Agent
from agent.device import available_cpus
from agent.episodes import Episode
from agent.model import Model
from agent.model.config import GameSpec, ModelConfig
from agent.search.config import SearchConfig
from agent.training.selfplay import merge_shards, play_shard, shard_seed, shard_sizes

if TYPE_CHECKING:
    from agent.training.ray_actors import RayActors

Where = Literal["auto", "process", "inline"]  # where self-play runs (TrainConfig.actor)


class InlineActor:
    """Self-play in this process: `submit` keeps a copy of the weights, `result` plays the shards one by one."""

    def __init__(self, game: str, model_cfg: ModelConfig, search: SearchConfig, *, seed: int, games_n: int,
                 temperature: float, device: torch.device, shards: int = 1, game_params: dict | None = None):
        adapter = games.load(game, **(game_params or {}))
        with torch.random.fork_rng(devices=[]):  # its weights come with `submit`: leave the learner's RNG alone
            model = Model(model_cfg, GameSpec.of(adapter)).to(device).eval()
        self.agent = Agent(adapter, model, search=search, seed=seed + 1)
        self.seed, self.sizes, self.temperature = seed, shard_sizes(games_n, shards), temperature
        self._job: tuple[dict[str, torch.Tensor], int] | None = None

    def submit(self, weights: dict[str, torch.Tensor], batch: int) -> None:
        """Play the games that enter replay at iteration `batch` with these weights (copied now)."""
        self._job = {k: v.detach().clone() for k, v in weights.items()}, batch

    def result(self) -> tuple[list[Episode], dict]:
        """The games of the last `submit` and their statistics (with `seconds`, the time spent playing)."""
        if self._job is None:
            raise RuntimeError("result() without a submit(): no games are being played")
        (weights, batch), self._job = self._job, None
        shards = self.play(weights, batch, range(len(self.sizes)))
        return merge_shards(shards, sum(s["seconds"] for _, s in shards))

    def play(self, weights: dict[str, torch.Tensor], batch: int,
             shards: Iterable[int]) -> list[tuple[list[Episode], dict]]:
        """Play these shards of iteration `batch`'s games with `weights`, each as `play_shard` does."""
        self.agent.model.load_state_dict(weights)
        return [play_shard(self.agent, self.sizes[j], shard_seed(self.seed, batch, j), temperature=self.temperature)
                for j in shards]

    def close(self) -> None:
        """Nothing to release in this process."""


class ProcessActor:
    """Self-play in a worker process (`python -m agent.training.actor`, one torch thread, which on CPU it takes
    from this process until `close`): the same calls, answered through a pipe. A fresh interpreter rather than
    multiprocessing's spawn, which would re-run the caller's main module (a script without an
    `if __name__ == "__main__"` guard would start training again), or fork, which CUDA does not survive."""

    def __init__(self, game: str, model_cfg: ModelConfig, search: SearchConfig, *, seed: int, games_n: int,
                 temperature: float, device: torch.device, shards: int = 1, game_params: dict | None = None):
        self._conn, child = Pipe()
        root = str(pathlib.Path(__file__).resolve().parent.parent)  # where `agent` is importable from
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self._proc = subprocess.Popen([sys.executable, "-m", "agent.training.actor", str(child.fileno())],
                                      pass_fds=[child.fileno()], env=env)
        child.close()
        self._send(("start", (game, model_cfg, search, dict(seed=seed, games_n=games_n, temperature=temperature,
                                                            device=device, shards=shards,
                                                            game_params=game_params))))
        self._receive()
        self._busy = False
        self._threads = torch.get_num_threads()
        if device.type == "cpu":
            torch.set_num_threads(max(1, self._threads - 1))

    def submit(self, weights: dict[str, torch.Tensor], batch: int) -> None:
        """Play the games that enter replay at iteration `batch` with these weights (serialised now)."""
        self._send(("play", ({k: v.detach().cpu() for k, v in weights.items()}, batch)))
        self._busy = True

    def result(self) -> tuple[list[Episode], dict]:
        """Wait for the games of the last `submit`."""
        if not self._busy:
            raise RuntimeError("result() without a submit(): no games are being played")
        self._busy = False
        return self._receive()

    def close(self) -> None:
        """Stop the worker (at once if it is playing: its games are not needed any more)."""
        if self._proc.poll() is None:
            try:
                _put(self._conn, ("stop", None))
                self._proc.wait(timeout=5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
        self._conn.close()
        torch.set_num_threads(self._threads)

    def _send(self, message) -> None:
        try:
            _put(self._conn, message)
        except (BrokenPipeError, OSError):
            raise RuntimeError(f"the self-play worker has stopped (exit code {self._proc.poll()})") from None

    def _receive(self):
        try:
            kind, payload = _get(self._conn)
        except (EOFError, OSError):
            raise RuntimeError(f"the self-play worker died (exit code {self._proc.wait()})") from None
        if kind == "error":
            raise RuntimeError(f"self-play failed in the worker process:\n{payload}")
        return payload


def _put(conn: Connection, message) -> None:
    """Send with the plain pickler (multiprocessing's would share tensors through its own process tree's keys)."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _get(conn: Connection):
    """Receive what `_put` sent."""
    return pickle.loads(conn.recv_bytes())


def _serve(conn: Connection) -> None:
    """The worker's loop: an InlineActor playing each `play` message's games until `stop` or the learner's end of
    the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the learner stops us
    torch.set_num_threads(1)
    try:
        kind, (game, model_cfg, search, kw) = _get(conn)
        actor = InlineActor(game, model_cfg, search, **kw)
        _put(conn, ("ok", None))
    except EOFError:
        return
    except Exception:  # noqa: BLE001  (told to the learner, which raises it)
        _put(conn, ("error", traceback.format_exc()))
        return
    while True:
        try:
            kind, payload = _get(conn)
        except (EOFError, OSError):  # the learner is gone (even by kill -9): nothing left to play for
            return
        if kind == "stop":
            return
        try:
            actor.submit(*payload)
            _put(conn, ("ok", actor.result()))
        except Exception:  # noqa: BLE001
            _put(conn, ("error", traceback.format_exc()))


def make_actor(where: Where, game: str, model_cfg: ModelConfig, search: SearchConfig, *, actors: int = 0,
               ray_address: str | None = None, **kw) -> InlineActor | ProcessActor | RayActors:
    """The actor a run asks for: `actors` Ray actors (agent.training.ray_actors) when it is 1 or more; else
    `where`, whose `auto` is a worker process when this process may use 2 or more CPUs (or a GPU)."""
    if where not in ("auto", "process", "inline"):
        raise ValueError(f"actor must be auto, process or inline, got {where!r}")
    if actors:
        from agent.training.ray_actors import RayActors  # Ray is an optional extra: imported only when asked for

        return RayActors(actors, game, model_cfg, search, address=ray_address, **kw)
    if where == "auto":
        where = "process" if available_cpus() >= 2 or kw["device"].type == "cuda" else "inline"
    return (ProcessActor if where == "process" else InlineActor)(game, model_cfg, search, **kw)


if __name__ == "__main__":  # the worker process of a ProcessActor: argv[1] is its end of the pipe
    _serve(Connection(int(sys.argv[1])))
