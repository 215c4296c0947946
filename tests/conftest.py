"""Test-session settings: W&B off; one torch thread per pytest-xdist worker (and for the programs tests start), so that
`pytest -n 2` on two cores runs two threads, not two pools oversubscribing the cores."""
import os

import torch

os.environ.setdefault("WANDB_MODE", "disabled")  # W&B is off in tests, and in the programs they start

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["OMP_NUM_THREADS"] = "1"  # inherited by subprocesses (scripts.train in the kill -9 test)
    torch.set_num_threads(1)
