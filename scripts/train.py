"""Train an agent by self-play: `python -m scripts.train --game leduc_poker --out runs/leduc`, then a short
evaluation against uniform random and a summary of where the run's files and the wandb run are."""
from __future__ import annotations

import sys

import tyro

from agent.evaluation.exploitability import exploitability
from agent.evaluation.matches import versus_random
from agent.training.config import TrainConfig


def parse(argv: list[str]) -> TrainConfig:
    """Command-line options over the defaults, or over a saved config given with --config FILE."""
    default = TrainConfig()
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
    return tyro.cli(TrainConfig, default=default, args=argv)


def main(argv: list[str] | None = None) -> None:
    """Train, evaluate, print the results table."""
    from agent.device import fit_torch_threads
    from agent.training.loop import train

    fit_torch_threads()
    cfg = parse(sys.argv[1:] if argv is None else argv)
    try:
        trainer = train(cfg)
    except (FileExistsError, FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    except KeyboardInterrupt:
        out = cfg.resolved().out
        raise SystemExit(f"\ninterrupted: {out} keeps its checkpoints (every {cfg.checkpoint_every} iterations); "
                         f"continue with: python -m scripts.train --out {out} --resume") from None
    rows = [("game", trainer.cfg.game), ("learner updates", trainer.updates), ("self-play games", trainer.games)]
    if trainer.cfg.final_games:
        res = versus_random(trainer.player, trainer.cfg.final_games, seed=cfg.seed + 10_000)
        rows.append((f"vs uniform random ({res['games']} games)",
                     f"{res['mean_return']:+.3f} ± {res['ci95']:.3f} per game, win rate {res['win_rate']:.0%}"
                     + (f"; an even seat gets {res['table_mean']:+.3f}" if res["table_mean"] else "")))
    if trainer.play_choice:
        name, figures = trainer.play_choice
        rows.append(("play search", f"{name}, the lowest of " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())))
    uniform = trainer.adapter.uniform_exploitability
    if uniform is not None:
        fresh = " (a fresh measurement)" if trainer.play_choice else ""
        rows.append(("exploitability", f"{exploitability(trainer.player):.4f}{fresh} (uniform random: "
                                       f"{uniform})"))
    rows += [("run directory", str(trainer.dir)), ("wandb", trainer.wandb_where)]
    width = max(len(k) for k, _ in rows)
    print("\n" + "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows))


if __name__ == "__main__":
    main()
