"""A whole training run: iterations under a budget, evaluation, one log line per interval, checkpoints."""
from __future__ import annotations

import dataclasses
import math
import pathlib
import random
import signal
import sys
import threading
import time

import torch
import tqdm

from agent.agent import Agent
from agent.evaluation.exploitability import exploitability
from agent.evaluation.generator import generator_quality, judge
from agent.evaluation.matches import figure_to_beat, versus_random
from agent.model.sampling import sample_actions
from agent.model.targets import make_batch
from agent.rundir import RunDir, warn
from agent.training.config import TrainConfig
from agent.training.play_choice import choose_play_search
from agent.training.runlog import RunLog
from agent.training.trainer import Trainer

# what a resumed run takes from the new command (besides --out itself: a run directory may have been moved since):
# its budget and resources; the shards stay the run's, so the same games come out whatever plays them
BUDGET_FLAGS = ("steps", "minutes", "device", "wandb_mode", "final_games", "final_exploitability", "choose_play",
                "actor", "actors", "ray_address")


def start(cfg: TrainConfig) -> Trainer:
    """A fresh run in cfg.out, or (cfg.resume) the run there restored from its latest checkpoint (warning about
    settings given that a resumed run does not take)."""
    given, cfg = cfg, cfg.resolved()
    if cfg.resume and cfg.config is not None:
        raise ValueError("--resume continues with the run's own config.json; it cannot take --config as well")
    if cfg.resume:
        run = RunDir(cfg.out)
        if not run.config.exists():
            raise FileNotFoundError(f"{cfg.out} has no config.json: nothing to resume")
        saved = TrainConfig.from_json(run.config.read_text(), str(run.config))
        checkpoint = run.checkpoint()  # refuse early, before anything is touched
        ignored = [f.name for f in dataclasses.fields(cfg) if f.name not in BUDGET_FLAGS + ("out", "resume", "config")
                   and getattr(given, f.name) is not None and getattr(cfg, f.name) != getattr(saved, f.name)]
        if ignored:
            warn(f"--resume keeps the run's own settings (its config.json); ignored: {', '.join(ignored)}. A resumed "
                 f"run takes only these from the command: {', '.join(BUDGET_FLAGS)}")
        cfg = dataclasses.replace(saved, **{k: getattr(cfg, k) for k in BUDGET_FLAGS}, out=cfg.out, resume=True)
        trainer = Trainer(cfg)
        trainer.load(checkpoint)
        return trainer
    if cfg.out.is_dir() and any(cfg.out.iterdir()) and not RunDir(cfg.out).config.exists():
        raise FileExistsError(f"{cfg.out} is a folder with other files in it, not a run directory (no config.json); "
                              "choose a new or empty --out")
    if RunDir(cfg.out).has_checkpoints():
        raise FileExistsError(f"{cfg.out} already holds a run; pass --resume to continue it or choose another --out")
    trainer = Trainer(cfg)
    trainer.write_run_files()
    return trainer


def evaluate(trainer: Trainer, log: RunLog) -> dict:
    """Win rate against uniform random and generated-action quality on recent positions (real rules judge).
    Progress figures: the published agent searching once per decision, not pooling `play.repeats` searches."""
    cfg, out = trainer.cfg, {}
    agent = trainer.agent.with_search(dataclasses.replace(trainer.agent.cfg, repeats=1))
    res = versus_random(agent, cfg.eval_games, seed=cfg.seed + trainer.iteration)
    out.update({f"eval/{k}": res[k] for k in ("mean_return", "ci95", "win_rate", "games", "table_mean")})
    out.update({"eval/alone": 1} if res.get("alone") else {})  # one player: table_mean is random's own return
    every = cfg.exploitability_every
    every = trainer.adapter.exploitability_every if every is None else every
    if every and trainer.adapter.uniform_exploitability is not None and trainer.iteration % every == 0:
        out["eval/exploitability"] = exploitability(agent)
    rng = random.Random(cfg.seed + trainer.iteration)  # not the learner's stream: how often the run evaluates
    # must not change what it learns
    samples = [(t, i) for t, i in trainer.replay.sample(64, rng) if i + 3 <= t.decisions]
    if samples:
        gen = torch.Generator(trainer.device).manual_seed(cfg.seed + trainer.iteration)
        batch = make_batch(trainer.tok, samples, 3, cfg.max_legal, rng,
                           outcomes=trainer.model.reads_outcomes).to(trainer.device)
        keys = ("precision", "recall", "duplicate_rate") + (("other_seats",) if trainer.adapter.has_view else ())
        for depth, q in generator_quality(trainer.agent.model, trainer.tok, samples, batch,
                                          generator=gen).items():
            out.update({f"generator/d{depth}/{k}": q[k] for k in keys})
            for turn in ("in_turn", "out_of_turn"):  # by who acts, where that kind of state was drawn
                if q.get(f"states_{turn}"):
                    out.update({f"generator/d{depth}/{k}_{turn}": q[f"{k}_{turn}"]
                                for k in ("precision", "to_play_accuracy")})
        log.table("candidates", ["observation", "candidate", "probability", "legal"],
                  candidate_rows(trainer, samples[:8], batch, gen))
    return out


@torch.no_grad()
def candidate_rows(trainer: Trainer, samples, batch, gen) -> list[list]:
    """Sampled real states, the generator's candidates at their root and whether the real rules allow each."""
    tok, rows = trainer.tok, []
    model = trainer.agent.model
    s = model.represent(batch.root[:len(samples)])
    for (tr, i), cands in zip(samples, sample_actions(model, s, generator=gen).rows()):
        state = tr.states[i]
        obs = " ".join(tok.describe(tok.encode_observation(state, state.current_player()))[-24:])
        verdicts = judge(tok, state, [c for c, _ in cands])
        for (c, lp), action in zip(cands, verdicts):
            rows.append([obs, " ".join(tok.describe([t for t in c if t != tok.eos])), round(math.exp(lp), 4),
                         action is not None])
    return rows


class CtrlC:
    """Remembers a Ctrl-C while a run trains. Python loses the KeyboardInterrupt when the signal lands while a
    finalizer runs (a weakref callback of the garbage collector: "Exception ignored"), and the run would go on to
    its end; the loop asks `pending` between iterations and raises it again (and the lost one is not printed as
    a traceback). Only where Ctrl-C raises as usual."""

    def __init__(self):
        self.pending, self._old, self._old_hook = False, None, None

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._old = signal.signal(signal.SIGINT, self._interrupt)
            self._old_hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def _interrupt(self, signum, frame):
        self.pending = True
        raise KeyboardInterrupt

    def _unraisable(self, unraisable) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):  # a lost Ctrl-C is `pending`; the rest print
            self._old_hook(unraisable)

    def __exit__(self, *exc) -> None:
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            sys.unraisablehook = self._old_hook


@dataclasses.dataclass
class Summary:
    """What a finished run reports (scripts.train prints it; metrics.jsonl and W&B hold it as `summary/*`)."""

    cfg: TrainConfig  # the run's resolved config
    dir: pathlib.Path  # the run directory
    iterations: int
    updates: int
    games: int  # self-play games
    agent: Agent  # the published agent: the final weights with the published search
    play_choice: tuple[str, dict[str, float]] | None = None  # (published, exploitability per candidate)
    versus_random: dict | None = None  # agent.evaluation.matches.versus_random's figures (cfg.final_games)
    exploitability: float | None = None  # a fresh measurement of the published agent, where exact
    wandb: str = ""  # where the W&B run is


def train(cfg: TrainConfig, *, quiet: bool = False) -> Summary:
    """Run (or resume) training until a budget runs out, checkpoint, then measure the published agent: its
    play search (`choose_play`), games against uniform random (`final_games`), exploitability
    (`final_exploitability`). Returns the summary, also logged as the run's last record."""
    trainer = start(cfg)
    cfg = trainer.cfg
    log = RunLog(trainer.dir, dataclasses.asdict(cfg) | {"out": str(cfg.out), "config": str(cfg.config)},
                 cfg.wandb_mode, name=trainer.dir.name)
    log.keep_until(trainer.iteration)
    began = time.monotonic() - trainer.trained_s  # a resumed run has spent this much of --minutes already
    bar = tqdm.tqdm(total=cfg.steps, initial=trainer.updates, unit="upd", disable=quiet, dynamic_ncols=True,
                    desc=f"training (--steps {cfg.steps} or --minutes {cfg.minutes:g}, whichever ends first)")
    try:
        with CtrlC() as ctrl_c:
            train_loop(trainer, log, bar, began, ctrl_c, quiet)
    finally:
        bar.close()
        trainer.close()
    summary = Summary(cfg=cfg, dir=trainer.dir, iterations=trainer.iteration, updates=trainer.updates,
                      games=trainer.games, agent=trainer.agent)
    if cfg.choose_play and trainer.adapter.exploitability_every:
        summary.play_choice = publish_best_play(trainer, quiet)
    final(trainer, summary, quiet)
    log.summary({"iteration": trainer.iteration, "updates": trainer.updates, **summary_record(summary)})
    log.plot()
    log.finish()
    summary.wandb = log.where()
    return summary


def final(trainer: Trainer, summary: Summary, quiet: bool) -> None:
    """The published agent's games against uniform random and its exploitability, into `summary`."""
    cfg = trainer.cfg
    if cfg.final_games:
        summary.versus_random = versus_random(trainer.agent, cfg.final_games, seed=cfg.seed + 10_000,
                                              progress=None if quiet else "the published agent against random")
    if cfg.final_exploitability and trainer.adapter.uniform_exploitability is not None:
        summary.exploitability = exploitability(trainer.agent, progress=None if quiet else "its exploitability")


def summary_record(summary: Summary) -> dict:
    """The summary's figures as metric keys."""
    out: dict = {"summary/games": summary.games}
    if summary.versus_random:
        out.update({f"summary/vs_random/{k}": summary.versus_random[k]
                    for k in ("mean_return", "ci95", "win_rate", "games", "table_mean")})
    if summary.exploitability is not None:
        out["summary/exploitability"] = summary.exploitability
    if summary.play_choice:
        name, figures = summary.play_choice
        out["play/chosen"] = name
        out.update({f"play/exploitability/{k}": v for k, v in figures.items()})
    return out


def train_loop(trainer: Trainer, log: RunLog, bar: tqdm.tqdm, began: float, ctrl_c: CtrlC, quiet: bool) -> None:
    """Iterations until a budget runs out (or Ctrl-C), with evaluations, log lines and checkpoints."""
    cfg, first, spent = trainer.cfg, trainer.updates, trainer.trained_s  # where this session starts
    if (trainer.updates >= cfg.steps or trainer.trained_s >= cfg.minutes * 60) and not quiet:
        bar.write(f"nothing to train: the run has made {trainer.updates} updates in {trainer.trained_s / 60:.1f} "
                  f"minutes, its budget is --steps {cfg.steps} --minutes {cfg.minutes:g} (give a larger one to "
                  "continue); its end's measurements follow")
    while trainer.updates < cfg.steps and trainer.trained_s < cfg.minutes * 60:  # as the checkpoint records it
        if ctrl_c.pending:  # a Ctrl-C whose KeyboardInterrupt a finalizer swallowed
            raise KeyboardInterrupt
        record = trainer.iterate()
        last = trainer.updates >= cfg.steps
        if trainer.iteration % cfg.eval_every == 0 or last:
            record.update(evaluate(trainer, log))
        log.log(record)
        elapsed = trainer.trained_s = time.monotonic() - began
        bar.total = budget_end(trainer.updates, cfg.steps, (trainer.updates - first) / max(elapsed - spent, 1e-9),
                               cfg.minutes * 60 - elapsed)
        bar.update(trainer.updates - bar.n)
        if not quiet:
            bar.write(line(record))
        if trainer.iteration % cfg.checkpoint_every == 0 or last:
            trainer.save()
            log.plot()
    if trainer.run.latest_name() != trainer.run.checkpoint_name(trainer.iteration):
        trainer.save()
    if ctrl_c.pending:  # swallowed in the last iteration: the run stops before its final evaluation
        raise KeyboardInterrupt


def budget_end(updates: int, steps: int, rate: float, seconds_left: float) -> int:
    """The update count the run will stop at: `steps`, or where `rate` updates per second reach the end of the
    time budget first (so the progress bar's total and ETA are those of the budget that binds)."""
    return max(updates, min(steps, updates + int(rate * max(seconds_left, 0.0))))


def publish_best_play(trainer: Trainer, quiet: bool) -> tuple[str, dict[str, float]]:
    """Measure the final model with each candidate play search and publish the lowest; returns (the published
    candidate, the exploitability of each)."""
    began = time.monotonic()
    name, chosen, figures = choose_play_search(trainer.agent, seed=trainer.cfg.seed + 1000,
                                               progress=None if quiet else "choosing the play search")
    trainer.publish(chosen)
    if not quiet:
        tqdm.tqdm.write("play search by exploitability: " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                        + f"; published: {name} ({time.monotonic() - began:.0f} s)")
    return name, figures


def line(r: dict) -> str:
    """One human-readable log line for a record."""
    parts = [f"it {r['iteration']}", f"upd {r['updates']}", f"games {r['games']}",
             f"loss {r.get('loss/total', float('nan')):.3f}"]
    if "eval/mean_return" in r:
        even = (f", {figure_to_beat(bool(r.get('eval/alone')))} gets {r['eval/table_mean']:+.2f}"
                if r.get("eval/table_mean") else "")
        parts.append(f"vs random {r['eval/mean_return']:+.2f}±{r['eval/ci95']:.2f} "
                     f"(win {r['eval/win_rate']:.0%}{even})")
    if "eval/exploitability" in r:
        parts.append(f"exploitability {r['eval/exploitability']:.3f}")
    if "generator/d0/precision" in r:
        parts.append(f"G prec/rec d0 {r['generator/d0/precision']:.2f}/{r['generator/d0/recall']:.2f}")
        if "generator/d3/precision" in r:
            parts.append(f"d3 {r['generator/d3/precision']:.2f}/{r['generator/d3/recall']:.2f}")
    return " | ".join(parts)
