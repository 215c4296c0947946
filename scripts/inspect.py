"""Print one random episode as each acting player sees it: observation, hidden and legal-action tokens.

    python -m scripts.inspect --game hearts --seed 3
"""
from __future__ import annotations

import dataclasses
import random

import tyro

import games
from tokenizer import Tokenizer


@dataclasses.dataclass
class Args:
    """Show a random episode of a game through the tokenizer."""

    game: str = "leduc_poker"
    """OpenSpiel game name (see games.supported(); others use the generic fallback)."""
    seed: int = 0
    """Seed of the random episode."""
    max_steps: int = 40
    """Stop after this many decisions (long games)."""
    max_actions: int = 12
    """Show at most this many legal actions per decision."""


def episode_lines(args: Args) -> list[str]:
    """The lines `main` prints for `args`."""
    adapter = games.load(args.game)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(args.seed)
    state = adapter.new_initial_state()
    lines, decisions = [f"{args.game} ({adapter.num_players} players), seed {args.seed}"], 0
    while not state.is_terminal() and decisions < args.max_steps:
        games.sample_chance(state, rng)
        if state.is_terminal():
            break
        p = state.current_player()
        legal = state.legal_actions()
        lines.append(f"\n-- decision {decisions}: player {p} to act")
        lines.append("  observation: " + " ".join(tok.describe(tok.encode_observation(state, p))))
        lines.append("  hidden:      " + " ".join(tok.describe(tok.encode_hidden(state, p))))
        shown = [" ".join(tok.describe(tok.encode_action(state, a)[:-1])) for a in legal[: args.max_actions]]
        more = f" ... (+{len(legal) - args.max_actions} more)" if len(legal) > args.max_actions else ""
        lines.append(f"  legal ({len(legal)}): " + " | ".join(shown) + more)
        action = rng.choice(legal)
        lines.append("  takes:       " + " ".join(tok.describe(tok.encode_action(state, action)[:-1])))
        state.apply_action(action)
        decisions += 1
    if state.is_terminal():
        lines.append(f"\nreturns: {state.returns()}")
    return lines


def main(args: Args) -> None:
    """Entry point."""
    try:
        print("\n".join(episode_lines(args)))
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main(tyro.cli(Args))
