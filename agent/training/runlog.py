"""A run's figures: RUN_DIR/metrics.jsonl, PNG plots beside it, and the same in Weights & Biases.

Weights & Biases runs offline unless asked otherwise (no account or network needed); `$WANDB_MODE` is
honoured when no mode is given; tests pass 'disabled'.
"""
from __future__ import annotations

import json
import os
import pathlib
import uuid

import matplotlib

from agent.rundir import warn

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

SUMMARY = "summary"  # the key that marks the record of a run's end

PLOTS = {  # PNG name -> panels (title, y-axis label, metric keys drawn against learner updates, log scale)
    "losses.png": [("training loss (total and main terms)", "loss per position (log scale)",
                    ("loss/total", "loss/value", "loss/policy", "loss/generator", "loss/reward", "loss/belief"),
                    True)],
    "versus_random.png": [("against uniform random", "mean return per game", ("eval/mean_return",), False),
                          ("games won against uniform random", "share of games", ("eval/win_rate",), False),
                          ("exploitability", "return per game", ("eval/exploitability",), False)],
    "generator.png": [("generator precision (candidates the rules allow)", "share of candidates",
                       ("generator/d0/precision", "generator/d3/precision"), False),
                      ("generator recall (legal actions proposed)", "share of the legal set",
                       ("generator/d0/recall", "generator/d3/recall"), False)],
}


def records(path: pathlib.Path) -> list[dict]:
    """The records of a metrics.jsonl; a torn last line (a process killed while appending it) is left out with a
    warning, and any other line that is not a JSON object is refused naming the file and the line."""
    lines = [(n, line) for n, line in enumerate(path.read_text().splitlines(), 1) if line.strip()]
    out = []
    for i, (n, line) in enumerate(lines):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            out.append(record)
        elif i == len(lines) - 1:
            warn(f"{path}: its last line ({n}) is cut short, as a process killed while writing it leaves it; "
                 "left out")
        else:
            raise ValueError(f"{path}: line {n} is not a JSON record; a metrics.jsonl holds one per line")
    return out


class RunLog:
    """Appends one JSON record per interval and mirrors it to wandb."""

    def __init__(self, run_dir: pathlib.Path, config: dict, mode: str | None, name: str):
        self.dir = run_dir
        self.path = run_dir / "metrics.jsonl"
        mode = mode or os.environ.get("WANDB_MODE") or "offline"
        if mode not in ("offline", "online", "disabled"):
            raise ValueError(f"wandb mode must be offline, online or disabled, got {mode!r}")
        self.mode = mode
        self.wandb = None
        if mode != "disabled":
            import wandb

            id_file = run_dir / "wandb_id"
            run_id = id_file.read_text().strip() if id_file.exists() else uuid.uuid4().hex[:12]
            id_file.write_text(run_id)
            self.wandb = wandb.init(project="cardzero", name=name, id=run_id, resume="allow", mode=mode,
                                    dir=str(run_dir), config=config)

    def where(self) -> str:
        """Where the wandb run lives (a directory offline, a URL online), or 'disabled'."""
        if self.wandb is None:
            return "disabled"
        if self.mode == "online":
            return self.wandb.url
        return f"{pathlib.Path(self.wandb.dir).parent} (offline; `wandb sync` it to upload)"

    def keep_until(self, iteration: int) -> None:
        """Drop records after `iteration` (written by a process that died before its next checkpoint) and the
        summary of an earlier end (a resumed run writes its own)."""
        if not self.path.exists():
            return
        kept = [r for r in records(self.path) if r.get("iteration", 0) <= iteration and not r.get(SUMMARY)]
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept))

    def log(self, record: dict) -> None:
        """Append `record` to metrics.jsonl and send it to wandb at step record['updates']."""
        with self.path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        if self.wandb is not None:
            self.wandb.log(record, step=int(record.get("updates", 0)))

    def summary(self, record: dict) -> None:
        """The run's final figures: the last line of metrics.jsonl (marked `"summary": true`) and the W&B run's
        summary."""
        self.log(record | {SUMMARY: True})
        if self.wandb is not None:
            self.wandb.summary.update(record)

    def table(self, name: str, columns: list[str], rows: list[list]) -> None:
        """A table of rows: RUN_DIR/NAME.json and a wandb.Table."""
        (self.dir / f"{name}.json").write_text(json.dumps({"columns": columns, "rows": rows}, indent=1))
        if self.wandb is not None:
            import wandb

            self.wandb.log({name: wandb.Table(columns=columns, data=rows)})

    def plot(self) -> list[pathlib.Path]:
        """Redraw the PNG plots from metrics.jsonl, one titled panel per quantity; returns the files written."""
        if not self.path.exists():
            return []
        rows = [r for r in records(self.path) if not r.get(SUMMARY)]
        written = []
        for png, panels in PLOTS.items():
            drawn = [(panel, [(key, [(r["updates"], r[key]) for r in rows if key in r]) for key in panel[2]])
                     for panel in panels]
            drawn = [(panel, [(k, pts) for k, pts in lines if pts]) for panel, lines in drawn]
            drawn = [(panel, lines) for panel, lines in drawn if lines]
            if not drawn:
                continue
            fig, axes = plt.subplots(len(drawn), 1, figsize=(7, 2.6 * len(drawn)), squeeze=False)
            for ax, ((title, ylabel, _, log), lines) in zip(axes[:, 0], drawn):
                for key, pts in lines:
                    ax.plot(*zip(*pts), marker=".", label=key)
                ax.set_title(title, fontsize=9)
                ax.set_ylabel(ylabel, fontsize=8)
                if log:
                    ax.set_yscale("log")
                ax.grid(alpha=0.3)
                if len(lines) > 1:
                    ax.legend(fontsize=7)
            axes[-1, 0].set_xlabel("learner updates")
            fig.tight_layout()
            fig.savefig(self.dir / png, dpi=100)
            plt.close(fig)
            written.append(self.dir / png)
        return written

    def finish(self) -> None:
        """Close the wandb run."""
        if self.wandb is not None:
            self.wandb.finish()
