"""Train an agent by self-play: `python -m scripts.train --game leduc_poker --out runs/leduc` (or a game's recipe,
`--recipe hearts`), then a short evaluation against uniform random and a summary of where the run's files and the
wandb run are."""
from __future__ import annotations

import dataclasses
import pathlib
import sys

import tyro

from agent.evaluation.matches import figure_to_beat
from agent.rundir import RunDir
from agent.training.config import TrainConfig
from agent.training.loop import Summary, train
from agent.training.recipes import RECIPES, recipe
from scripts.options import flag_value

DESCRIPTION = (__doc__.split("\n\n")[0] + "\n\n--recipe GAME starts from that game's recipe (agent.training.recipes; "
               "flags after it still win, and --model fields join its own): " + ", ".join(RECIPES) + ".")


def parse(argv: list[str]) -> TrainConfig:
    """Command-line options over the defaults, over a game's recipe given with --recipe GAME
    (agent.training.recipes; flags after it still win, and --model fields join the recipe's), over a saved
    config given with --config FILE, or, with --resume, over the config the run in --out saved (so a resumed
    run keeps its budget unless one is given)."""
    default = TrainConfig()
    game = flag_value(argv, "--recipe")
    if game is not None or any(a == "--recipe" for a in argv):
        if game is None or flag_value(argv, "--config") is not None:
            raise SystemExit("--recipe needs a game name (and does not go with --config)")
        try:
            flags = recipe(game).flags
        except ValueError as e:
            raise SystemExit(f"error: {e}") from None
        flags, ours = model_fields(list(flags))
        argv, yours = model_fields(without(argv, "--recipe"))
        fields = ["--model", *ours, *yours] if ours or yours else []  # the recipe's fields, then yours, which win
        argv = ["--game", game, *flags, *argv, *fields]
    given = any(a == "--config" or a.startswith("--config=") for a in argv)
    path, out = flag_value(argv, "--config"), flag_value(argv, "--out")
    if given:
        if path is None:
            raise SystemExit("--config needs a file (a run's config.json)")
        argv = without(argv, "--config")
    elif "--resume" in argv and out is not None and RunDir(pathlib.Path(out)).config.exists():
        path = str(RunDir(pathlib.Path(out)).config)  # no config.json: the run's start says nothing is to resume
    if path is not None:
        try:
            with open(path) as f:
                default = TrainConfig.from_json(f.read(), path)
        except (OSError, ValueError) as e:
            raise SystemExit(f"cannot load {'--config' if given else 'the config.json of the run to resume,'} "
                             f"{path}: {e}") from None
        default = dataclasses.replace(default, config=pathlib.Path(path) if given else None)
    return tyro.cli(TrainConfig, default=default, args=argv, description=DESCRIPTION)  # tyro reports a value
    # the configs refuse


def model_fields(argv: list[str]) -> tuple[list[str], list[str]]:
    """argv without its --model groups, and their `field value` words in order (later fields win)."""
    out, fields, inside = [], [], False
    for arg in argv:
        if arg == "--model":
            inside = True
        elif inside and not arg.startswith("--"):
            fields.append(arg)
        else:
            inside = False
            out.append(arg)
    return out, fields


def without(argv: list[str], flag: str) -> list[str]:
    """argv without `flag` and its value (`--flag V` or `--flag=V`)."""
    out, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg == flag:
            skip = i + 1 < len(argv)
        elif not arg.startswith(flag + "="):
            out.append(arg)
    return out


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
