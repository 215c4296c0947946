"""The results table: `python -m scripts.results [--games hearts gin_rummy]` trains each game's recipe run where it
has not finished (runs/GAME, as `make train GAME=...` leaves it; delete a run to train it again), measures it
(agent.evaluation.results_table) and writes its row into docs/results.md. Each match it finishes is kept in the
run (agent.evaluation.match_store), so a measurement stopped part-way resumes at the match it was playing."""
from __future__ import annotations

import dataclasses
import pathlib
from typing import Literal

import tyro

import games
from agent.evaluation.results_table import measure, summary_record, write
from agent.rundir import RunDir
from scripts import options


@dataclasses.dataclass
class Args:
    """Train (or reuse) each game's recipe run, measure it, and write the results table."""

    games: tuple[str, ...] = ()
    """Games to run (default: every supported game)."""
    runs: pathlib.Path = pathlib.Path("runs")
    """Where the runs are: runs/GAME, as `make train GAME=...` leaves them."""
    episodes: int = 200
    """Games against uniform random per row (seats rotated): the 200 the results issue asks for."""
    ismcts_simulations: int = 0
    """Simulations per move of OpenSpiel's Python IS-MCTS on the run's learned belief (0: no IS-MCTS column unless
    --ismcts-matched; it is slow in the 52-card games)."""
    ismcts_matched: bool = False
    """Give IS-MCTS as many simulations as take the agent's own seconds per move (timed on a few states)."""
    ismcts_episodes: int = 0
    """Games against IS-MCTS (0: as many as --episodes; at the agent's time per move IS-MCTS doubles a game's
    cost, so the long games may take fewer)."""
    quality_positions: int = 200
    """Held-out positions (from the evaluation games) for generated-action quality."""
    world_states: int = 50
    """Random decision states at which the agent's root worlds are checked for being possible."""
    worlds: int = 8
    """Worlds drawn at each of those states."""
    seed: int = 0
    """Seed of the evaluation games and checks."""
    device: Literal["auto", "cpu", "cuda"] = "cpu"
    """Device of the evaluation (auto: cuda where torch sees one); cpu by default, as the recipes train."""
    results: pathlib.Path = pathlib.Path("docs/results.md")
    """The markdown file whose table (between its results-table markers) is rewritten."""
    rows: pathlib.Path = pathlib.Path("docs/results_table.json")
    """Where every measured row is kept, so a subset's run keeps the other games' rows."""


def ensure_run(game: str, run: pathlib.Path) -> None:
    """Train `game`'s recipe into `run` unless it has finished there (an interrupted run is resumed), without
    the run's own final games against random."""
    from agent.training.loop import train
    from scripts.train import parse, report

    if summary_record(run) is not None:
        print(f"{game}: reusing the finished run {run}")
        return
    resume = ["--resume"] if RunDir(run).has_checkpoints() else []
    print(f"{game}: {'resuming' if resume else 'training'} its recipe run in {run}")
    # no final games against random in the run: the row plays its own (hours in the long games' published search)
    print(report(train(parse(["--recipe", game, "--out", str(run), "--final-games", "0", *resume]))))


def main(args: Args) -> None:
    """Train where needed, measure, and write each game's row as soon as it is measured."""
    from agent.device import fit_torch_threads

    fit_torch_threads()
    device = options.device(args.device)  # refused in one line now, not after hours of training
    chosen = list(args.games or games.supported())
    unknown = [g for g in chosen if g not in games.supported()]
    if unknown:
        raise SystemExit(f"unknown games {unknown}; supported: {', '.join(games.supported())}")
    for game in chosen:
        run = args.runs / game
        try:
            ensure_run(game, run)
            row = measure(run, episodes=args.episodes, ismcts_simulations=args.ismcts_simulations,
                          ismcts_matched=args.ismcts_matched, ismcts_episodes=args.ismcts_episodes,
                          quality_positions=args.quality_positions, world_states=args.world_states,
                          worlds=args.worlds, seed=args.seed, device=device)
        except (FileExistsError, FileNotFoundError, ValueError) as e:
            raise SystemExit(f"error: {game}: {e}") from None
        write(args.rows, args.results, [row], games.supported())
        print(f"{game}: row written to {args.results}")


if __name__ == "__main__":
    main(tyro.cli(Args))
