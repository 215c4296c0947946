"""Command-line helpers the scripts share: a run's published search as the default of `--play.*`, and
`--device` resolved with a one-line error."""
from __future__ import annotations

import pathlib
import sys
from typing import TypeVar

import tyro

from agent.device import pick_device
from agent.rundir import RunDir
from agent.search.config import SearchConfig

T = TypeVar("T")


def flag_value(argv: list[str], flag: str) -> str | None:
    """The value given to `flag` in argv (`--flag V` or `--flag=V`), None if absent."""
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg.split("=", 1)[1]
    return None


def cli_over_run_search(cls: type[T], argv: list[str] | None) -> T:
    """Parse `cls` (a dataclass with `run` and `play: SearchConfig` fields) with the run's search.json as the
    defaults of --play.*, so that a flag changes one setting and leaves the run's others as published."""
    argv = sys.argv[1:] if argv is None else argv
    run = flag_value(argv, "--run")
    if run is None:  # --help without a run shows SearchConfig's own defaults
        return tyro.cli(cls, args=argv)
    try:
        search = RunDir(pathlib.Path(run)).read_search() or SearchConfig()
    except ValueError as e:
        if "-h" in argv or "--help" in argv:
            return tyro.cli(cls, args=argv)
        raise SystemExit(f"error: {e}") from None
    return tyro.cli(cls, args=argv, default=cls(run=pathlib.Path(run), play=search))


def device(name: str) -> str:
    """`--device` (auto, cpu or cuda) as a torch device name; SystemExit with one line where it cannot be had."""
    try:
        return str(pick_device(name))
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None
