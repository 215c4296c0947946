"""The self-play actor: plays one iteration's games with the weights it is handed, in the learner's process or in a
worker process beside it, so that the next iteration's games are played while the learner learns.

Both kinds do the same thing in the same order (`submit` weights, then `result`), own the same random streams
(the self-play agent's `rng` and `generator`, and the stream that draws chance and actions) and hand them over as
`state()` for a checkpoint; only where the games are played differs. The weights are copied at `submit`, so the
learner may change its own at once.
"""
from __future__ import annotations

import os
import pathlib
import pickle
import random
import signal
import subprocess
import sys
import time
import traceback
from multiprocessing.connection import Connection, Pipe
from typing import Literal

import torch

import games
from agent.agent import Agent
from agent.device import available_cpus
from agent.episodes import Episode
from agent.model import Model
from agent.model.config import GameSpec, ModelConfig
from agent.search.config import SearchConfig
from agent.training.selfplay import self_play

Where = Literal["auto", "process", "inline"]  # where self-play runs (TrainConfig.actor)


class InlineActor:
    """Self-play in this process: `submit` keeps a copy of the weights, `result` plays the games."""

    def __init__(self, game: str, model_cfg: ModelConfig, search: SearchConfig, *, seed: int, games_n: int,
                 temperature: float, device: torch.device, game_params: dict | None = None):
        adapter = games.load(game, **(game_params or {}))
        with torch.random.fork_rng(devices=[]):  # its weights come with `submit`: leave the learner's RNG alone
            model = Model(model_cfg, GameSpec.of(adapter)).to(device).eval()
        self.agent = Agent(adapter, model, search=search, seed=seed + 1)
        self.rng = random.Random(seed + 3)  # chance outcomes and the actions drawn from the search policies
        self.games_n, self.temperature = games_n, temperature
        self._weights: dict[str, torch.Tensor] | None = None

    def submit(self, weights: dict[str, torch.Tensor]) -> None:
        """Play the next batch of games with these weights (copied now)."""
        self._weights = {k: v.detach().clone() for k, v in weights.items()}

    def result(self) -> tuple[list[Episode], dict]:
        """The games of the last `submit` and their statistics (with `seconds`, the time spent playing)."""
        if self._weights is None:
            raise RuntimeError("result() without a submit(): no games are being played")
        self.agent.model.load_state_dict(self._weights)
        self._weights = None
        began = time.perf_counter()
        episodes, stats = self_play(self.agent, self.games_n, self.rng, temperature=self.temperature)
        return episodes, stats | {"seconds": time.perf_counter() - began}

    def state(self) -> dict:
        """The random streams, for a checkpoint."""
        return {"rng": self.rng.getstate(), "agent_rng": self.agent.rng.getstate(),
                "agent_generator": self.agent.generator.get_state()}

    def restore(self, state: dict) -> None:
        """Continue from `state()`'s streams."""
        self.rng.setstate(state["rng"])
        self.agent.rng.setstate(state["agent_rng"])
        self.agent.generator.set_state(state["agent_generator"])

    def close(self) -> None:
        """Nothing to release in this process."""


class ProcessActor:
    """Self-play in a worker process (`python -m agent.training.actor`, one torch thread, which on CPU it takes
    from this
    process until `close`): the same calls, answered through a pipe. A fresh interpreter rather than
    multiprocessing's spawn, which would re-run the caller's main module (a script without an
    `if __name__ == "__main__"` guard would start training again), or fork, which CUDA does not survive."""

    def __init__(self, game: str, model_cfg: ModelConfig, search: SearchConfig, *, seed: int, games_n: int,
                 temperature: float, device: torch.device, game_params: dict | None = None):
        self._conn, child = Pipe()
        root = str(pathlib.Path(__file__).resolve().parent.parent)  # where `agent` is importable from
        env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
        self._proc = subprocess.Popen([sys.executable, "-m", "agent.training.actor", str(child.fileno())],
                                      pass_fds=[child.fileno()], env=env)
        child.close()
        self._send(("start", (game, model_cfg, search, dict(seed=seed, games_n=games_n, temperature=temperature,
                                                            device=device, game_params=game_params))))
        self._receive()
        self._busy = False
        self._threads = torch.get_num_threads()
        if device.type == "cpu":
            torch.set_num_threads(max(1, self._threads - 1))

    def submit(self, weights: dict[str, torch.Tensor]) -> None:
        """Play the next batch of games with these weights (serialised now)."""
        self._send(("play", {k: v.detach().cpu() for k, v in weights.items()}))
        self._busy = True

    def result(self) -> tuple[list[Episode], dict]:
        """Wait for the games of the last `submit`."""
        if not self._busy:
            raise RuntimeError("result() without a submit(): no games are being played")
        self._busy = False
        return self._receive()

    def state(self) -> dict:
        """The worker's random streams, for a checkpoint (between iterations: no games in flight)."""
        self._send(("state", None))
        return self._receive()

    def restore(self, state: dict) -> None:
        """Continue the worker from `state()`'s streams."""
        self._send(("restore", state))
        self._receive()

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
    """The worker's loop: an InlineActor driven by messages until `stop` or the learner's end of the pipe closes."""
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
            if kind == "play":
                actor.submit(payload)
                out = actor.result()
            elif kind == "state":
                out = actor.state()
            else:
                out = actor.restore(payload)
            _put(conn, ("ok", out))
        except Exception:  # noqa: BLE001
            _put(conn, ("error", traceback.format_exc()))


def make_actor(where: Where, game: str, model_cfg: ModelConfig, search: SearchConfig,
               **kw) -> InlineActor | ProcessActor:
    """The actor `where` asks for; `auto` is a worker process when this process may use 2 or more CPUs (or a GPU)."""
    if where not in ("auto", "process", "inline"):
        raise ValueError(f"actor must be auto, process or inline, got {where!r}")
    if where == "auto":
        where = "process" if available_cpus() >= 2 or kw["device"].type == "cuda" else "inline"
    return (ProcessActor if where == "process" else InlineActor)(game, model_cfg, search, **kw)


if __name__ == "__main__":  # the worker process of a ProcessActor: argv[1] is its end of the pipe
    _serve(Connection(int(sys.argv[1])))
