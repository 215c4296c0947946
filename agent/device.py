"""Where torch runs: the CPUs this process may really use, and the device `--device auto` means.

torch sizes its thread pool from the machine's cores; in a container with a CPU quota (cgroup `cpu.max`) or a
narrowed affinity that is too many, and tiny per-step tensor ops then spend their time waiting on descheduled
threads, many times slower than one thread per usable CPU."""
from __future__ import annotations

import math
import os
import pathlib

import torch


def available_cpus(cgroup: pathlib.Path = pathlib.Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity set, capped by a cgroup v2 or v1 CPU quota if one is set."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:  # cgroup v2: "max 100000" or "200000 100000"
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        try:  # cgroup v1
            quota = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
            period = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
            if quota > 0:
                cpus = min(cpus, max(1, math.ceil(quota / period)))
        except (OSError, ValueError):
            pass
    return max(1, cpus)


def fit_torch_threads() -> int:
    """Lower torch's intra-op threads to the usable CPUs (never raise them: OMP_NUM_THREADS=1 stays 1)."""
    threads = min(torch.get_num_threads(), available_cpus())
    torch.set_num_threads(threads)
    return threads


def pick_device(name: str) -> torch.device:
    """'auto' -> cuda when available, else cpu; refuses unknown names."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device")
    return torch.device(name)
