"""Evaluate a trained run: `python -m scripts.evaluate --run RUN_DIR [--opponents ...] [--episodes N] [--json PATH]`.

Prints a results table (variants of the agent by opponent, mean return per game with 95% intervals,
exploitability), then generated-action and belief quality; writes the JSON, PNG plots and a wandb run
(offline by default) into RUN_DIR/eval/.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from typing import Literal

from rich.console import Console
from rich.table import Table

from agent.evaluation.report import OPPONENTS, VARIANTS, EvalSettings, evaluate_run
from agent.search.config import SearchConfig
from scripts import options


@dataclasses.dataclass(kw_only=True)
class EvalConfig(EvalSettings):
    """Command-line options of the evaluation."""

    run: pathlib.Path
    """Run directory written by scripts.train (or one holding model/ and search.json)."""
    json: pathlib.Path | None = None
    """Where to write the results JSON (default RUN_DIR/eval/results.json)."""
    play: SearchConfig = dataclasses.field(default_factory=SearchConfig)
    """The agent's search (default: the run's search.json; e.g. --play.gumbel-c-scale 0 plays the prior)."""
    min_ratio: float | None = None
    """Override the run's generator floor: candidates less than this fraction as probable as the best are
    dropped (default: the floor the run trained with, in its checkpoint's model config)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the networks run (auto: cuda if available)."""
    wandb_mode: Literal["offline", "online", "disabled"] | None = None
    """Weights & Biases mode (default: $WANDB_MODE, else offline)."""
    reuse: bool = True
    """Read back the matches kept in RUN_DIR/eval/matches by the same code for the same checkpoint and settings,
    so a stopped evaluation resumes (--no-reuse plays them all again and replaces them)."""


def table(res: dict) -> Table:
    """Variants by opponents: mean return ± 95% interval (and what an even seat gets), plus exploitability."""
    opps = list(dict.fromkeys(m["opponent"] for m in res["matches"]))
    t = Table(title=f"{res['game']}: mean return per game of the row against the column "
                    f"({res['settings']['episodes']} games, seats rotated)")
    t.add_column("variant")
    detail = {m["opponent"]: m["opponent_detail"] for m in res["matches"]}
    for o in opps:
        t.add_column(f"vs {detail[o]}", justify="right")
    if res["exploitability"]:
        t.add_column("exploitability", justify="right")
    for v in dict.fromkeys(m["variant"] for m in res["matches"]):
        cells = []
        for o in opps:
            m = next((m for m in res["matches"] if m["variant"] == v and m["opponent"] == o), None)
            even = (f" ({'alone' if m.get('alone') else 'even'} {m['table_mean']:+.2f})"
                    if m and abs(m["table_mean"]) > 1e-9 else "")
            cells.append("-" if m is None else f"{m['mean_return']:+.3f} ± {m['ci95']:.3f}{even}")
        if res["exploitability"]:
            e = res["exploitability"].get(v)
            cells.append("-" if e is None else f"{e:.4f}")
        t.add_row(v, *cells)
    if any(abs(m["table_mean"]) > 1e-9 for m in res["matches"]):
        t.caption = ("(even: what a seat gets on average at those tables; a player no better than the others gets "
                     "it; alone: what the opponent gets playing the one-player game itself)")
    return t


def _turn(q: dict, turn: str) -> str:
    """One depth's precision and to-play accuracy where the seat to act is (or is not) the next in turn; "-" at
    the root and where no state was of that kind."""
    if not q.get(f"states_{turn}"):
        return "-"
    return f"{q[f'precision_{turn}']:.3f} ({q[f'to_play_accuracy_{turn}']:.2f}, {q[f'states_{turn}']})"


def quality_table(res: dict) -> Table:
    """Generated-action quality by unroll depth, and belief quality."""
    t = Table(title=f"generated actions (real rules as judge, candidates under {res['min_ratio']:g} x the best "
                    "dropped) and beliefs")
    for c in ("depth", "legal precision", "legal-set recall", "duplicate rate", "another seat's card", "candidates",
              "states", "in turn: prec. (to-play, n)", "out of turn: prec. (to-play, n)"):
        t.add_column(c, justify="right")
    for d, q in res["generator"].items():
        t.add_row(d, f"{q['precision']:.3f}", f"{q['recall']:.3f}", f"{q['duplicate_rate']:.3f}",
                  f"{q['other_seats']:.3f}" if "other_seats" in q else "-", f"{q['candidates']:.2f}", str(q["states"]),
                  *(_turn(q, turn) for turn in ("in_turn", "out_of_turn")))
    b = res["belief_consistency"]
    t.caption = ("another seat's card: the share of candidates naming a card another seat holds (0 without a view); "
                 "in turn: the seat to act follows the one that acted a step before (out of turn: a trick's winner "
                 "leads, a new round opens); to-play: the model's accuracy at naming that seat; n: states. "
                 + (f"b's free samples consistent with the real game: {b['share']:.3f} of {b['drawn']}"
                    if "share" in b else f"b's free samples not judged: {b['skipped']}"))
    worlds = res.get("possible_worlds")
    if worlds:
        t.caption += (f"; the agent's root worlds possible (OpenSpiel's information state, legal replay): "
                      f"{worlds['share']:.3f} of {worlds['drawn']}" if "share" in worlds
                      else f"; root worlds not drawn: {worlds['skipped']}")
    if "belief_posterior" in res:
        p, w = res["belief_posterior"], res["belief_posterior_walk"]
        t.caption += (f"; TV to the exact posterior (under the agent's own policy) over {p['infosets']} information "
                      f"sets: b alone mean {p['tv_mean']:.4f}, max {p['tv_max']:.4f}; b on possible worlds (what "
                      f"the agent samples) mean {w['tv_mean']:.4f}, max {w['tv_max']:.4f}")
    return t


def plot(res: dict, out: pathlib.Path) -> list[pathlib.Path]:
    """matches.png (mean return with intervals) and generator.png (precision / recall by depth)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    ms = res["matches"]
    fig, ax = plt.subplots(figsize=(max(5, 0.8 * len(ms)), 3.5))
    labels = [f"{m['variant']}\nvs {m['opponent']}" for m in ms]
    ax.bar(range(len(ms)), [m["mean_return"] for m in ms], yerr=[m["ci95"] for m in ms], capsize=3)
    ax.set_xticks(range(len(ms)), labels, fontsize=7)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_ylabel("mean return per game (95% CI)")
    ax.set_title(res["game"])
    fig.tight_layout()
    paths.append(out / "matches.png")
    fig.savefig(paths[-1])
    if "generator" not in res:  # --quality-positions 0
        plt.close("all")
        return paths
    fig, ax = plt.subplots(figsize=(4.5, 3))
    depths = list(res["generator"])
    for key in ("precision", "recall", "duplicate_rate"):
        ax.plot([int(d) for d in depths], [res["generator"][d][key] for d in depths], marker="o", label=key)
    ax.set_xlabel("unroll depth (0 = root)")
    ax.set_ylim(0, 1.02)
    ax.legend()
    fig.tight_layout()
    paths.append(out / "generator.png")
    fig.savefig(paths[-1])
    plt.close("all")
    return paths


def to_wandb(res: dict, images: list[pathlib.Path], out: pathlib.Path, mode: str | None) -> str:
    """Log the tables and plots to a wandb run of job type 'evaluate'; returns where it lives."""
    mode = mode or os.environ.get("WANDB_MODE") or "offline"
    if mode == "disabled":
        return "disabled"
    import wandb

    run = wandb.init(project="cardzero", job_type="evaluate", name=f"eval-{pathlib.Path(res['run']).name}",
                     dir=str(out), mode=mode, config=res["settings"] | {"game": res["game"], "run": res["run"]})
    cols = ["variant", "opponent", "mean_return", "ci95", "win_rate", "games", "chosen_legal"]
    run.log({"matches": wandb.Table(columns=cols, data=[[m[c] for c in cols] for m in res["matches"]]),
             "generator": wandb.Table(columns=["depth", "precision", "recall", "duplicate_rate", "candidates"],
                                      data=[[int(d)] + [q[c] for c in ("precision", "recall", "duplicate_rate",
                                                                         "candidates")]
                                            for d, q in res.get("generator", {}).items()]),
             **{f"exploitability/{v}": e for v, e in res["exploitability"].items()},
             **({"beliefs/possible_worlds": res["possible_worlds"]["share"]}
                if "share" in res.get("possible_worlds", {}) else {}),
             **{f"plots/{p.stem}": wandb.Image(str(p)) for p in images}})
    where = run.url if mode == "online" else f"{pathlib.Path(run.dir).parent} (offline; `wandb sync` it to upload)"
    run.finish()
    return where


def main(argv: list[str] | None = None) -> dict:
    """Evaluate, print, write the JSON, plots and wandb run; returns the results."""
    cfg = options.cli_over_run_search(EvalConfig, argv)
    for name, allowed, given in (("opponent", OPPONENTS, cfg.opponents), ("variant", VARIANTS, cfg.variants)):
        bad = [g for g in given if g not in allowed]
        if bad:
            raise SystemExit(f"error: unknown {name}s {bad}; choose from {', '.join(allowed)}")

    from agent.device import fit_torch_threads

    fit_torch_threads()
    device = options.device(cfg.device)
    overrides = dataclasses.asdict(cfg.play) | ({"min_ratio": cfg.min_ratio} if cfg.min_ratio is not None else {})
    settings = EvalSettings(**{f.name: getattr(cfg, f.name) for f in dataclasses.fields(EvalSettings)})
    console = Console(width=max(Console().width, 132))  # the tables need room, even when piped
    try:
        res = evaluate_run(cfg.run, settings, device=device, overrides=overrides, say=console.log, reuse=cfg.reuse)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    out = cfg.run / "eval"
    out.mkdir(exist_ok=True)
    path = cfg.json or out / "results.json"
    images = plot(res, out)
    res["wandb"] = to_wandb(res, images, out, cfg.wandb_mode)
    path.write_text(json.dumps(res, indent=1))
    console.print(table(res))
    if "generator" in res:
        console.print(quality_table(res))
    if "belief_duel" in res:
        d = res["belief_duel"]
        console.print(f"IS-MCTS on the learned belief against IS-MCTS on {d['against']}: {d['mean_return']:+.3f} ± "
                      f"{d['ci95']:.3f} per game ({d['games']} games, seats rotated)")
    for failed in res["failed"]:
        console.print(f"[red]variant {failed['variant']} could not be evaluated: {failed['why']}[/red]")
    console.print(f"results: {path}; plots: {', '.join(str(p) for p in images)}; wandb: {res['wandb']}")
    return res


if __name__ == "__main__":
    main()
