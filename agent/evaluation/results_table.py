"""The results table: one row per game, measured on that game's recipe run (`python -m scripts.results`).

Each row is measured here, never typed in: the run's updates and self-play games (its summary record), its published
agent against uniform random (mean return, 95% interval, what an even seat gets, or in a one-player game what
uniform random gets alone; the margin over that figure with its interval, and whether the interval clears 0: the
issue's "beats random clearly"; win rate), against OpenSpiel's Python IS-MCTS on the run's learned belief (where asked;
at the agent's own time per move with `ismcts_matched`), the simple gin rummy bot and our own rule-based players
(crazy_eights, hearts) where they apply, exploitability where it is exact, generated-action quality at unroll depths
0-3 on held-out positions (the evaluation games', which the learner never saw), the share of the agent's root worlds
that are possible, and the published search's seconds per move; with the date and the commit. Exploitability is the
run's own end-of-run measurement of its published agent where it has one (it searches at every information set, so
measuring it twice would double the longest part), else measured here. Rows are kept in a JSON file beside
docs/results.md, and the table between two markers in docs/results.md is written from all of them, so running a
subset of games updates those rows only.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import pathlib
import random
import time
from collections.abc import Callable

from agent.agent import load_agent
from agent.episodes import Episode, play_random, trace
from agent.evaluation.beliefs import possible_share
from agent.evaluation.match_store import MatchStore, commit
from agent.evaluation.players import ismcts_learned
from agent.evaluation.report import EvalSettings, evaluate_run
from agent.rundir import write_text
from agent.training.runlog import records

START, END = "<!-- results-table:start -->", "<!-- results-table:end -->"


def summary_record(run: pathlib.Path) -> dict | None:
    """The summary record a finished run logged last in its metrics.jsonl; None where it has not finished."""
    path = pathlib.Path(run) / "metrics.jsonl"
    if not path.exists():
        return None
    rows = records(path)
    last = rows[-1] if rows else {}
    return last if last.get("summary") else None


def measure(run: pathlib.Path, *, episodes: int = 200, ismcts_simulations: int = 0, ismcts_matched: bool = False,
            ismcts_episodes: int = 0, quality_positions: int = 200, world_states: int = 50, worlds: int = 8,
            seed: int = 0, device: str = "cpu", say: Callable[[str], None] = print) -> dict:
    """One row of the table for a finished run (see the module docstring). IS-MCTS on the learned belief plays
    at `ismcts_simulations` per move, or with `ismcts_matched` at as many as take the agent's own seconds per
    move, over `ismcts_episodes` games (0: `episodes`); neither: no IS-MCTS column."""
    summary = summary_record(run)
    if summary is None:
        raise ValueError(f"{run} has no finished run (no summary record in its metrics.jsonl)")
    agent = load_agent(run, seed=seed, device=device)
    game = agent.adapter.name
    opponents = ("random",) + (("gin_bot",) if game == "gin_rummy" else ()) + (
        ("rules",) if game in ("crazy_eights", "hearts") else ())
    known = summary.get("summary/exploitability")  # the run measured its published agent at its end
    settings = EvalSettings(episodes=episodes, opponents=opponents, variants=("agent",), seed=seed,
                            quality_positions=quality_positions, exploitability=known is None,
                            world_states=0)  # checked below, on random games' states, as the rows always were
    out = evaluate_run(run, settings, device=device, say=say)
    matches = {m["opponent"]: m for m in out["matches"]}
    per_move = matches["random"]["seconds"] / max(matches["random"]["agent_moves"], 1)
    rng = random.Random(seed + 1)
    states = []
    while len(states) < world_states:
        tr = trace(agent.adapter, Episode(play_random(agent.adapter, rng).history))
        states.append(tr.states[rng.randrange(tr.decisions)])
    if ismcts_matched:  # kept with the matches: a resumed measurement finds its IS-MCTS match under the same count
        store, key = MatchStore(run), {"ismcts_matched": per_move, "seed": seed, "device": device}
        kept = store.get(key)
        if kept is None:
            kept = {"simulations": matched_simulations(agent, states[:8], per_move)}
            store.put(key, kept)
        ismcts_simulations = kept["simulations"]
        say(f"IS-MCTS on the learned belief at {ismcts_simulations} simulations: the agent's {per_move:.2f} s a move")
    if ismcts_simulations:
        settings = dataclasses.replace(settings, opponents=("ismcts_learned",), quality_positions=0,
                                       episodes=ismcts_episodes or episodes,
                                       exploitability=False, ismcts_learned_simulations=ismcts_simulations)
        matches |= {m["opponent"]: m for m in evaluate_run(run, settings, device=device, say=say)["matches"]}
    possible = possible_share(lambda s, n: agent.sample_worlds(s, n), agent.tok, states, worlds)
    say(f"{game}: {possible['share']:.1%} of {possible['drawn']} root worlds possible")
    rand = matches["random"]
    return {
        "game": game, "run": str(run), "updates": summary.get("updates"), "games": summary.get("summary/games"),
        "vs_random": _match(rand),
        "vs_ismcts": _match(matches.get("ismcts_learned")) | {"simulations": ismcts_simulations}
        if "ismcts_learned" in matches else None,
        "vs_gin_bot": _match(matches.get("gin_bot")) if "gin_bot" in matches else None,
        "vs_rules": _match(matches.get("rules")) if "rules" in matches else None,
        "exploitability": known if known is not None else out["exploitability"].get("agent"),
        "generator": out.get("generator", {}),
        "possible_worlds": possible["share"], "worlds_drawn": possible["drawn"],
        "seconds_per_move": per_move,
        "date": datetime.date.today().isoformat(), "commit": commit(),
    }


def matched_simulations(agent, states: list, seconds: float, trial: int = 20) -> int:
    """How many simulations OpenSpiel's Python IS-MCTS on `agent`'s learned belief makes in `seconds` a move,
    timed at `trial` simulations on `states`."""
    player = ismcts_learned(agent, trial)
    start = time.perf_counter()
    player.act(list(enumerate(states)))
    per_simulation = (time.perf_counter() - start) / (trial * len(states))
    return max(1, int(seconds / per_simulation))


def _match(m: dict) -> dict:
    """What the table keeps of a match (`alone`: a one-player game, where `table_mean` is the opponent's own
    return playing it)."""
    return {k: m[k] for k in ("mean_return", "ci95", "table_mean", "win_rate", "games", "margin", "margin_ci95")} | (
        {"alone": True} if m.get("alone") else {})


def margin(m: dict) -> tuple[float, float] | None:
    """A match's margin over the figure to beat and its 95% interval: kept in the row, or, in a row measured
    before margins were kept, the mean itself where every table's mean is 0 (two-player zero-sum games: a game's
    margin is then its return); None where neither is known."""
    if "margin" in m:
        return m["margin"], m["margin_ci95"]
    if m["table_mean"] == 0.0 and not m.get("alone"):
        return m["mean_return"], m["ci95"]
    return None


def _depths(gen: dict, key: str) -> str:
    return " / ".join(f"{gen[d][key]:.2f}" if d in gen else "-" for d in ("0", "1", "2", "3"))


def _alone(m: dict) -> str:
    """In a one-player game, what the opponent got playing it alone (the figure to beat)."""
    return f" (alone {m['table_mean']:+.2f})" if m.get("alone") else ""


def markdown(rows: list[dict]) -> str:
    """The rows as a markdown table (games in the registry's order of the rows given; in one-player games the
    figure to beat is each opponent's own return playing alone)."""
    head = ("| game | updates | self-play games | vs random (even seat) | margin | beats random | win | vs IS-MCTS | "
            "vs gin bot | vs rules | "
            "exploitability | precision d0-3 | recall d0-3 | duplicates d0-3 | possible worlds | s/move | date | "
            "commit |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        rnd = r["vs_random"]
        other = [f"{m['mean_return']:+.2f} ± {m['ci95']:.2f}" + _alone(m)
                 + (f" ({m['simulations']} sims)" if "simulations" in m else "") if m else "-"
                 for m in (r.get("vs_ismcts"), r.get("vs_gin_bot"), r.get("vs_rules"))]
        even = f"alone {rnd['table_mean']:+.2f}" if rnd.get("alone") else f"{rnd['table_mean']:+.2f}"
        expl = f"{r['exploitability']:.3f}" if r.get("exploitability") is not None else "-"
        gen = r.get("generator", {})
        edge = margin(rnd)
        edge_cells = f"{edge[0]:+.2f} ± {edge[1]:.2f} | {'yes' if edge[0] - edge[1] > 0 else 'no'}" if edge else "- | -"
        lines.append(
            f"| {r['game']} | {r['updates']} | {r['games']} | {rnd['mean_return']:+.2f} ± {rnd['ci95']:.2f} "
            f"({even}), {rnd['games']} games | {edge_cells} | {rnd['win_rate']:.0%} | {other[0]} | {other[1]} | "
            f"{other[2]} | "
            f"{expl} | {_depths(gen, 'precision')} | {_depths(gen, 'recall')} | {_depths(gen, 'duplicate_rate')} | "
            f"{r['possible_worlds']:.0%} of {r['worlds_drawn']} | {r['seconds_per_move']:.2f} | {r['date']} | "
            f"`{r['commit']}` |")
    return "\n".join(lines)


def write(rows_path: pathlib.Path, results_md: pathlib.Path, new_rows: list[dict], order: list[str]) -> list[dict]:
    """Merge `new_rows` into the rows kept at `rows_path` (by game) and rewrite the table between the markers of
    `results_md` (a section appended where they are missing); returns every row, in `order`."""
    rows = json.loads(rows_path.read_text()) if rows_path.exists() else {}
    rows.update({r["game"]: r for r in new_rows})
    write_text(rows_path, json.dumps(rows, indent=2, sort_keys=True) + "\n")
    ordered = [rows[g] for g in order if g in rows] + [rows[g] for g in sorted(rows) if g not in order]
    block = f"{START}\n{markdown(ordered)}\n{END}"
    text = results_md.read_text() if results_md.exists() else "# Results\n"
    if START in text and END in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Results table (`python -m scripts.results`)\n\n" + block + "\n"
    write_text(results_md, text)
    return ordered
