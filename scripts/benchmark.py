"""Speed and size figures, printed as tables: `python -m scripts.benchmark [--json PATH]`.

Sections: tokenizer (per game), model (parameters per preset; latents per second per network call), search
(simulations per second and the share of time outside network calls, per number of concurrent searches),
selfplay (real game steps per second of batched self-play, learner updates per second, h's milliseconds per
state beside the history's length), scaleout (self-play games per second in one process, a worker process, 1
and 2 Ray actors; how many actors keep one learner busy), beliefs (milliseconds per world sampled at a search
root, P at once).
"""
from __future__ import annotations

import dataclasses
import json
import pathlib

import tyro

import games
from agent.device import fit_torch_threads
from agent.model.config import PRESETS
from scripts import options


@dataclasses.dataclass
class Args:
    """Measure the project's speed on this machine and print tables."""

    games: tuple[str, ...] = ()
    """Games of the tokenizer and self-play sections (default: every supported game)."""
    episodes: int = 20
    """Random episodes per game for the tokenizer section."""
    seed: int = 0
    """Seed of the random episodes."""
    json: pathlib.Path | None = None
    """Also write the figures to this JSON file."""
    sections: tuple[str, ...] = ("tokenizer", "model", "search", "selfplay", "scaleout", "beliefs")
    """Which sections to run."""
    model_games: tuple[str, ...] = ("leduc_poker", "hearts")
    """Games whose real states feed the model section."""
    presets: tuple[str, ...] = ("small",)
    """Model presets timed in the model section (parameters are listed for every preset)."""
    batches: tuple[int, ...] = (1, 16, 64)
    """Batch sizes of the model section."""
    device: str = "cpu"
    """Device of the model and search sections: cpu, cuda or auto."""
    searches: tuple[int, ...] = (1, 16, 64)
    """Numbers of concurrent searches in the search section."""
    simulations: int = 32
    """Simulations per search in the search section."""
    particles: int = 4
    """Belief particles per search in the search section."""
    selfplay_games: int = 16
    """Games searched at once in the self-play and scale-out sections (crazy_eights' recipe's games per iteration)."""
    selfplay_simulations: int = 16
    """Simulations per search in the self-play section (the recipes' self-play search)."""
    selfplay_particles: int = 2
    """Worlds per search in the self-play section (the recipes' self-play search)."""
    scaleout_game: str = "crazy_eights"
    """Game of the scale-out section: a long card game, whose self-play is what actors are for."""
    scaleout_ray: bool = True
    """Time 1 and 2 Ray actors in the scale-out section where Ray is installed (each starts a local Ray)."""
    selfplay_preset: str = "tiny"
    """Model preset of the self-play section (the recipes' preset)."""
    selfplay_model: dict[str, int | float | str] = dataclasses.field(default_factory=dict)
    """Model config fields over that preset, as `scripts.train --model` takes them (e.g. card_read embed)."""
    belief_games: tuple[str, ...] = ("leduc_poker", "crazy_eights", "hearts", "bridge")
    """Games of the beliefs section: a small one and three whose hidden hands are large."""
    belief_particles: tuple[int, ...] = (1, 8, 32)
    """Worlds sampled at once at a root in the beliefs section."""


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Rows as an aligned text table; columns are (key, header, format)."""
    cells = [[h for _, h, _ in columns]] + [[format(r[k], f) for k, _, f in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])


def tokenizer_section(args: Args) -> list[dict]:
    """Per game: microseconds per observation / action encoding and observation lengths."""
    from scripts.benchmarks.tokenizer import measure

    rows = [measure(name, episodes=args.episodes, seed=args.seed) for name in args.games or games.supported()]
    print("\n== tokenizer ==")
    print(table(rows, [("game", "game", "s"), ("obs_us", "obs us (incr.)", ".1f"),
                       ("obs_cold_us", "obs us (cold)", ".0f"), ("action_us", "action us", ".2f"),
                       ("obs_tokens_mean", "obs tokens mean", ".1f"), ("obs_tokens_max", "obs tokens max", "d"),
                       ("decisions", "decisions", "d")]))
    return rows


def model_section(args: Args) -> dict:
    """Parameters per preset, then latents per second of every network call per game, preset and batch size."""
    from scripts.benchmarks.model import parameters, throughput

    game = args.model_games[0]
    params = parameters(game)
    print(f"\n== model: parameters ({game}) ==")
    cols = [("preset", "preset", "s")] + [(k, k, ",d") for k in params[0] if k != "preset"]
    print(table(params, cols))
    device = _device(args)
    speed = []
    for game in args.model_games:
        for name in args.presets:
            rows = throughput(game, name, args.batches, args.seed, device)
            speed += rows
            print(f"\n== model: latents per second ({game}, {name}, {device}) ==")
            calls = list(dict.fromkeys(r["call"] for r in rows))
            pivot = [{"call": c, **{f"b{r['batch']}": r["per_s"] for r in rows if r["call"] == c}} for c in calls]
            columns = [("call", "network call", "s")] + [(f"b{b}", f"batch {b}", ",.0f") for b in args.batches]
            print(table(pivot, columns))
    return {"parameters": params, "throughput": speed}


def _device(args: Args) -> str:
    """The device of the model and search sections (a one-line error where it cannot be had)."""
    return options.device(args.device)


def search_section(args: Args) -> list[dict]:
    """Per game and preset: simulations per second and share of wall time outside network calls."""
    from scripts.benchmarks.search import search_speed

    device, rows = _device(args), []
    for game in args.model_games:
        for name in args.presets:
            for n in args.searches:
                rows.append(search_speed(game, name, n, simulations=args.simulations, particles=args.particles,
                                         seed=args.seed, device=device))
    print(f"\n== search: {args.simulations} simulations x {args.particles} particles per search ({device}) ==")
    print(table(rows, [("game", "game", "s"), ("preset", "preset", "s"), ("searches", "searches", "d"),
                       ("sims_per_s", "simulations/s", ",.0f"), ("outside_share", "outside networks", ".1%"),
                       ("search_s", "search s", ".2f"), ("root_s", "root (h) s", ".2f")]))
    return rows


def selfplay_section(args: Args) -> list[dict]:
    """Per game: the history's length and what h reads of it, h's ms per state, self-play game steps per second,
    the share of it spent drawing worlds, learner updates per second."""
    from scripts.benchmarks.selfplay import measure

    device = _device(args)
    rows = [measure(game, args.selfplay_preset, games_n=args.selfplay_games, simulations=args.selfplay_simulations,
                    particles=args.selfplay_particles, seed=args.seed, device=device, model_fields=args.selfplay_model)
            for game in args.games or games.supported()]
    print(f"\n== self-play: {args.selfplay_games} searches at once, Gumbel root, {args.selfplay_simulations} "
          f"simulations x {args.selfplay_particles} worlds; learner batch {rows[0]['batch'] if rows else 0}, "
          f"unroll {rows[0]['unroll'] if rows else 0} ({args.selfplay_preset}"
          + "".join(f" {k}={v}" for k, v in args.selfplay_model.items()) + f", {device}) ==")
    print(table(rows, [("game", "game", "s"), ("tokens", "tokens mean", ".0f"), ("tokens_max", "max", "d"),
                       ("read", "h reads", ".0f"), ("h_ms", "h ms/state", ".2f"),
                       ("game_steps_per_s", "game steps/s", ".1f"), ("world_share", "of it worlds", ".0%"),
                       ("updates_per_s", "updates/s", ".2f"), ("decisions_per_game", "decisions/game", ".0f"),
                       ("games_per_48_updates", "games/48 updates", ".0f")]))
    return rows


def scaleout_section(args: Args) -> list[dict]:
    """Self-play games per second in one process, a worker process, 1 and 2 Ray actors; the learner's updates per
    second; how many actors keep one learner busy."""
    import importlib.util

    from scripts.benchmarks.scaleout import actors_to_feed, learner_bound, measure

    device, ray = _device(args), args.scaleout_ray and importlib.util.find_spec("ray") is not None
    rows = measure(args.scaleout_game, args.selfplay_preset, games_n=args.selfplay_games,
                   simulations=args.selfplay_simulations, particles=args.selfplay_particles, seed=args.seed,
                   device=device, ray=ray)
    print(f"\n== scale-out: {args.scaleout_game}, {args.selfplay_games} games an iteration, the recipes' self-play "
          f"search, {rows[0]['updates_per_game']:g} updates per game ({args.selfplay_preset}, learner on {device}) ==")
    print(table(rows, [("kind", "self-play in", "s"), ("start_s", "start s", ".1f"),
                       ("games_per_s", "games/s", ".2f"), ("iteration_s", "iteration s", ".1f"),
                       ("updates_per_s", "learner updates/s", ".2f")]))
    alone = rows[0]["updates_per_s"]  # one process: the learner's updates while nothing else plays
    one = next((r for r in rows if r["actors"] == 1), rows[1])
    need = actors_to_feed(alone, rows[0]["updates_per_game"], one["games_per_s"])
    print(f"actors to keep one learner busy ({device}): {alone:.2f} updates/s / ({rows[0]['updates_per_game']:g} "
          f"updates per game x {one['games_per_s']:.2f} games/s per actor) = {need:.1f}"
          + ("" if ray else "  (no Ray actors timed: the worker process stands in for an actor)"))
    bound = learner_bound(args.scaleout_game, args.selfplay_preset, seed=args.seed)
    gpu_need = actors_to_feed(bound["gpu_updates_per_s_at_most"], rows[0]["updates_per_game"], one["games_per_s"])
    print(f"a GPU learner, on paper: at most {bound['gpu_updates_per_s_at_most']:.1f} updates/s (the CPU's part of "
          f"an update: {bound['batch_s'] * 1e3:.0f} ms building the batch + {bound['ops_per_update']:.0f} tensor "
          f"operations x {bound['dispatch_us']:.1f} us dispatching each), so up to {gpu_need:.0f} such actors")
    for r in rows:
        r.update(actors_to_feed=need, gpu_actors_to_feed=gpu_need, **bound)
    return rows


def beliefs_section(args: Args) -> list[dict]:
    """Per game and P: milliseconds per world sampled at a root: possible worlds (the walk with b), the walk alone
    (uniform words), b's free samples."""
    from scripts.benchmarks.beliefs import measure

    device = _device(args)
    rows = [measure(game, p, preset_name=args.presets[0], device=device, seed=args.seed)
            for game in args.belief_games for p in args.belief_particles]
    print(f"\n== beliefs: ms per world sampled at a root ({args.presets[0]}, {device}; walk: possible worlds, b "
          "choosing; walk alone: uniform words, no network; free: b unconstrained, not always possible) ==")
    print(table(rows, [("game", "game", "s"), ("particles", "P", "d"), ("walk_ms", "walk", ".1f"),
                       ("walk_alone_ms", "walk alone", ".1f"), ("free_ms", "free", ".1f")]))
    return rows


SECTIONS = ("tokenizer", "model", "search", "selfplay", "scaleout", "beliefs")


def check_names(args: Args) -> None:
    """Refuse unknown game and preset names in one line before any section runs (a later section's bad name
    would otherwise end the run after minutes of measuring)."""
    for name in dict.fromkeys([*args.games, *args.model_games, *args.belief_games, args.scaleout_game]):
        try:
            games.check_game(name, {})
        except ValueError as e:
            raise SystemExit(f"error: {e}") from None
    bad = sorted(set(args.presets + (args.selfplay_preset,)) - set(PRESETS))
    if bad:
        raise SystemExit(f"unknown presets {bad}; presets: {', '.join(PRESETS)}")


def main(args: Args) -> None:
    """Run every section and print (and optionally save) the figures."""
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown benchmark sections {sorted(unknown)}; sections: {', '.join(SECTIONS)}")
    _device(args)  # refuse a device this machine lacks before measuring anything
    check_names(args)
    fit_torch_threads()
    results = {}
    if "tokenizer" in args.sections:
        results["tokenizer"] = tokenizer_section(args)
    if "model" in args.sections:
        results["model"] = model_section(args)
    if "search" in args.sections:
        results["search"] = search_section(args)
    if "selfplay" in args.sections:
        results["selfplay"] = selfplay_section(args)
    if "scaleout" in args.sections:
        results["scaleout"] = scaleout_section(args)
    if "beliefs" in args.sections:
        results["beliefs"] = beliefs_section(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main(tyro.cli(Args))
