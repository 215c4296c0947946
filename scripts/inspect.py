"""Print one random episode as each acting player sees it: observation, hidden and legal-action tokens, and the
returns.

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
    game_params: dict[str, int | float | bool | str] = dataclasses.field(default_factory=dict)
    """OpenSpiel parameters over the game's defaults, e.g. --game-params players 3."""
    seed: int = 0
    """Seed of the random episode."""
    max_steps: int = 40
    """Show this many decisions; the episode is played to its end all the same, for its returns."""
    max_actions: int = 12
    """Show at most this many legal actions per decision."""
    width: int = 160
    """Cut a line of tokens at this many characters, saying how many words are left out (0: never)."""
    full: bool = False
    """Show each decision's whole observation, not only what changed since the same player's last decision."""


def cut(words: list[str], width: int) -> str:
    """`words` joined, cut at `width` characters with a count of the words left out."""
    text = " ".join(words)
    if not width or len(text) <= width:
        return text
    room = max(width - len(f" ... (+{len(words)} words)"), 0)  # the count's note fits within the width too
    kept = text[:room].rsplit(" ", 1)[0].split(" ") if room else []
    return " ".join(kept + ["..."]) + f" (+{len(words) - len(kept)} words)"


def episode_lines(args: Args) -> list[str]:
    """The lines `main` prints for `args`."""
    adapter = games.load(args.game, **args.game_params)
    tok = Tokenizer.for_game(adapter)
    rng = random.Random(args.seed)
    state = adapter.new_initial_state()
    lines, decisions = [f"{args.game} ({adapter.num_players} players), seed {args.seed}"], 0
    seen: dict[int, list[str]] = {}  # player -> their observation at their last decision
    while True:
        games.sample_chance(state, rng)
        if state.is_terminal():
            break
        p, legal = state.current_player(), state.legal_actions()
        action = rng.choice(legal)
        if decisions < args.max_steps:
            words = tok.describe(tok.encode_observation(state, p))
            hidden = tok.describe(tok.encode_hidden(state, p))
            before = [] if args.full else seen.get(p, [])
            start = next((i for i, (a, b) in enumerate(zip(before, words)) if a != b), min(len(before), len(words)))
            seen[p] = words
            label = f"observation ({len(words)} words" + (f", new after the first {start}):" if start else "):")
            shown = [" ".join(tok.describe(tok.encode_action(state, a)[:-1])) for a in legal[: args.max_actions]]
            more = f" ... (+{len(legal) - args.max_actions} more)" if len(legal) > args.max_actions else ""
            lines += ["", f"-- decision {decisions}: player {p} to act",
                      f"  {label} {cut(words[start:], args.width)}",
                      f"  hidden ({len(hidden)} words): {cut(hidden, args.width)}",
                      f"  legal ({len(legal)}): " + cut(shown, args.width) + more,
                      "  takes:       " + " ".join(tok.describe(tok.encode_action(state, action)[:-1]))]
        state.apply_action(action)
        decisions += 1
    if decisions > args.max_steps:
        lines += ["", f"... {decisions - args.max_steps} more decisions not shown (--max-steps {args.max_steps}); "
                  f"the game ended after {decisions}"]
    lines += ["", "returns: " + ", ".join(f"player {i} {r:+g}" for i, r in enumerate(state.returns()))]
    return lines


def main(args: Args) -> None:
    """Entry point."""
    try:
        print("\n".join(episode_lines(args)))
    except ValueError as e:
        raise SystemExit(f"error: {e}") from None


if __name__ == "__main__":
    main(tyro.cli(Args))
