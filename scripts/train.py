"""Train an agent by self-play: `python -m scripts.train --game leduc_poker --out runs/leduc` (or a game's recipe,
`--recipe hearts`), then a short evaluation against uniform random and a summary of where the run's files and the
wandb run are."""
from __future__ import annotations

import sys

import tyro

from agent.evaluation.matches import figure_to_beat
from agent.training.config import TrainConfig
from agent.training.loop import Summary, train
from agent.training.recipes import recipe


def parse(argv: list[str]) -> TrainConfig:
    """Command-line options over the defaults, over a game's recipe given with --recipe GAME
    (agent.training.recipes; flags after it still win), or over a saved config given with --config FILE."""
    default = TrainConfig()
    if "--recipe" in argv:
        i = argv.index("--recipe")
        if i + 1 >= len(argv) or "--config" in argv:
            raise SystemExit("--recipe needs a game name (and does not go with --config)")
        try:
            flags = recipe(argv[i + 1]).flags
        except ValueError as e:
            raise SystemExit(f"error: {e}") from None
        argv = ["--game", argv[i + 1], *flags, *argv[:i], *argv[i + 2:]]
    if "--config" in argv:
        i = argv.index("--config")
        if i + 1 >= len(argv):
            raise SystemExit("--config needs a file (a run's config.json)")
        path = argv[i + 1]
        try:
            with open(path) as f:
                default = TrainConfig.from_json(f.read(), path)
        except (OSError, ValueError) as e:
            raise SystemExit(f"cannot load --config {path}: {e}") from None
    return tyro.cli(TrainConfig, default=default, args=argv)  # tyro reports a value the configs refuse


def main(argv: list[str] | None = None) -> None:
    """Train, evaluate, print the results table."""
    from agent.device import fit_torch_threads

    fit_torch_threads()
    cfg = parse(sys.argv[1:] if argv is None else argv)
    try:
        summary = train(cfg)
    except (FileExistsError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    except KeyboardInterrupt:
        out = cfg.resolved().out
        raise SystemExit(f"\ninterrupted: {out} keeps its checkpoints (every {cfg.checkpoint_every} iterations); "
                         f"continue with: python -m scripts.train --out {out} --resume") from None
    print("\n" + report(summary))


def report(summary: Summary) -> str:
    """The summary as an aligned two-column table."""
    game = summary.cfg.game + "".join(f" {k}={v}" for k, v in summary.cfg.game_params.items())
    rows = [("game", game), ("learner updates", summary.updates), ("self-play games", summary.games)]
    res = summary.versus_random
    if res:
        rows.append((f"vs uniform random ({res['games']} games)",
                     f"{res['mean_return']:+.3f} ± {res['ci95']:.3f} per game, win rate {res['win_rate']:.0%}"
                     + (f"; {figure_to_beat(bool(res.get('alone')))} gets {res['table_mean']:+.3f}"
                        if res["table_mean"] else "")))
    if summary.play_choice:
        name, figures = summary.play_choice
        rows.append(("play search", f"{name}, the lowest of " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                     + " (each its worse of two draws)"))
    if summary.exploitability is not None:
        fresh = " (a fresh measurement)" if summary.play_choice else ""
        rows.append(("exploitability", f"{summary.exploitability:.4f}{fresh} (uniform random: "
                                       f"{summary.agent.adapter.uniform_exploitability})"))
    rows += [("run directory", str(summary.dir)), ("wandb", summary.wandb)]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


if __name__ == "__main__":
    main()
