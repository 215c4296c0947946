"""Speed and size figures, printed as tables: `python -m scripts.benchmark [--json PATH]`.

Sections: tokenizer (per game). Later sections: model, search, self-play.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib

import tyro

import games


@dataclasses.dataclass
class Args:
    """Measure the project's speed on this machine and print tables."""

    games: tuple[str, ...] = ()
    """Games to measure (default: every supported game that loads)."""
    episodes: int = 20
    """Random episodes per game for the tokenizer section."""
    seed: int = 0
    """Seed of the random episodes."""
    json: pathlib.Path | None = None
    """Also write the figures to this JSON file."""


def table(rows: list[dict], columns: list[tuple[str, str, str]]) -> str:
    """Rows as an aligned text table; columns are (key, header, format)."""
    cells = [[h for _, h, _ in columns]] + [[format(r[k], f) for k, _, f in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    return "\n".join([lines[0], "-" * len(lines[0])] + lines[1:])


def tokenizer_section(args: Args) -> list[dict]:
    """Per game: microseconds per observation / action encoding and observation lengths."""
    from tokenizer.benchmark import measure

    rows = [measure(name, episodes=args.episodes, seed=args.seed) for name in args.games or games.supported()]
    print("\n== tokenizer ==")
    print(table(rows, [("game", "game", "s"), ("obs_us", "obs us (incr.)", ".1f"),
                       ("obs_cold_us", "obs us (cold)", ".0f"), ("action_us", "action us", ".2f"),
                       ("obs_tokens_mean", "obs tokens mean", ".1f"), ("obs_tokens_max", "obs tokens max", "d"),
                       ("decisions", "decisions", "d")]))
    return rows


def main(args: Args) -> None:
    """Run every section and print (and optionally save) the figures."""
    results = {"tokenizer": tokenizer_section(args)}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main(tyro.cli(Args))
