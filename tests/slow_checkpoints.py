"""scripts.train with each step of a checkpoint write announced and slowed, for the kill -9 test to strike in.

    python -m tests.slow_checkpoints MARKER_FILE [scripts.train options]

Before each step (the model's files, the rest of the run state, the manifest, and small files such as LATEST) it
appends the step's name to MARKER_FILE and sleeps PAUSE seconds, so a test that reads the marker can kill the run
while that step is under way. Nothing else changes: the run computes what scripts.train computes.
"""
from __future__ import annotations

import functools
import pathlib
import sys
import time
import types

PAUSE = 0.3  # seconds before each step: the window the test kills in


def announced(name: str, marker: pathlib.Path, fn):
    """`fn`, first writing `name` to `marker` and pausing."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with marker.open("a") as f:
            f.write(name + "\n")
        time.sleep(PAUSE)
        return fn(*args, **kwargs)

    return wrapper


def main(argv: list[str]) -> None:
    """Patch the checkpoint writer's steps, then run scripts.train on the remaining arguments."""
    import agent.rundir
    import agent.training.checkpoint
    from scripts import train

    marker = pathlib.Path(argv[0])
    checkpoint = agent.training.checkpoint
    checkpoint.save_model = announced("model", marker, checkpoint.save_model)
    checkpoint.torch = types.SimpleNamespace(**vars(checkpoint.torch))  # its own torch: others' saves stay as they are
    checkpoint.torch.save = announced("state", marker, checkpoint.torch.save)
    agent.rundir.write_manifest = announced("manifest", marker, agent.rundir.write_manifest)
    agent.rundir.write_text = announced("text", marker, agent.rundir.write_text)
    train.main(argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
