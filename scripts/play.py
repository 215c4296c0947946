"""Play against a trained agent in the terminal: `python -m scripts.play --run runs/leduc_poker`.

You see only your own seat's view (OpenSpiel's string for your seat and your event stream, `?` where a card is
hidden from you); the agent plays every other seat with its search; chance follows the game's own odds.
"""
from __future__ import annotations

import dataclasses
import pathlib
import random
from collections.abc import Callable
from typing import Literal

import pyspiel

from agent.agent import Agent, load_agent
from agent.device import fit_torch_threads
from agent.search.config import SearchConfig
from scripts import options


@dataclasses.dataclass
class Args:
    """Play games against the agent of a training run."""

    run: pathlib.Path
    """Run directory (its newest checkpoint, else RUN/model/)."""
    seat: int = 0
    """Your seat, 0 .. players - 1; the agent plays every other seat."""
    games: int = 1
    """How many games to play."""
    seed: int = 0
    """Seed of the deals and of the agent's search."""
    play: SearchConfig = dataclasses.field(default_factory=SearchConfig)
    """The agent's search (default: the run's search.json; e.g. --play.simulations 64)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """auto (cuda if available), cpu or cuda."""


def view(agent: Agent, state: pyspiel.State, seat: int) -> list[str]:
    """What `seat` may see of `state`: OpenSpiel's string for that seat and their event stream."""
    if state.get_game().get_type().provides_information_state_string:
        text = state.information_state_string(seat)
    else:
        text = state.observation_string(seat)
    words = [w for w in agent.tok.describe(agent.tok.encode_observation(state, seat))
             if w != "<bos>" and not w.startswith("game:")]
    return [f"you see: {text}", "your events: " + " ".join(words)]


def ask(agent: Agent, state: pyspiel.State, seat: int, read: Callable, write: Callable) -> int | None:
    """Show the human their view and legal moves and read one (its number or exact text); None to quit."""
    legal = state.legal_actions()
    names = [state.action_to_string(seat, a) for a in legal]
    write(f"\n--- your turn (seat {seat}) ---")
    for line in view(agent, state, seat) + [f"  {i}: {name}" for i, name in enumerate(names)]:
        write(line)
    while True:
        try:
            answer = read(f"your move (0-{len(legal) - 1}, a move's text, q to quit): ").strip()
        except EOFError:
            return None
        if answer.isdigit() and int(answer) < len(legal):
            return legal[int(answer)]
        if answer in names:
            return legal[names.index(answer)]
        if answer.lower() in ("q", "quit"):
            return None
        write(f"not a legal move: {answer!r}; enter a number from 0 to {len(legal) - 1}, "
              f"a move's exact text (e.g. {names[0]!r}) or q to quit")


def narrate(agent: Agent, before: pyspiel.State, action: int, after: pyspiel.State, seat: int) -> str:
    """One line saying what the step from `before` to `after` was, as far as `seat` can see it."""
    actor = before.current_player()
    obs, hidden = agent.tok.new_events(before, after, seat)
    text = before.action_to_string(actor, action)
    if actor == seat:
        return f"you play: {text}"
    if before.is_chance_node():
        words = " ".join(agent.tok.describe(obs))
        return f"chance: {'hidden from you' if hidden else text}" + (f" ({words})" if words else "")
    return f"agent (seat {actor}) " + (f"plays: {text}" if not hidden else "makes a move you cannot see")


def play(agent: Agent, seat: int, games: int, rng: random.Random, read: Callable = input,
         write: Callable = print) -> list[pyspiel.State]:
    """Play `games` games, the human at `seat` through `read`/`write`; returns the finished games' final states."""
    n, finished = agent.adapter.num_players, []
    totals = [0.0] * n
    names = [f"seat {p} ({'you' if p == seat else 'agent'})" for p in range(n)]
    for g in range(games):
        write(f"\n=== game {g + 1} of {games}: {agent.adapter.name}, you are seat {seat} ===")
        state = agent.adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                outcomes, probs = zip(*state.chance_outcomes())
                action = rng.choices(outcomes, probs)[0]
            elif state.current_player() == seat:
                action = ask(agent, state, seat, read, write)
                if action is None:
                    write("quit.")
                    return finished
            else:
                action = agent.act(state)
            before = state.clone()
            state.apply_action(action)
            write(narrate(agent, before, action, state, seat))
        finished.append(state)
        totals = [t + r for t, r in zip(totals, state.returns())]
        write("returns: " + ", ".join(f"{name} {r:+g}" for name, r in zip(names, state.returns())))
        write(f"total after {g + 1} game(s): " + ", ".join(f"{name} {t:+g}" for name, t in zip(names, totals)))
    return finished


def main(argv: list[str] | None = None, read: Callable = input, write: Callable = print) -> None:
    """Entry point: load the run's agent, check the options, play; errors end with one `error: ...` line."""
    args = options.cli_over_run_search(Args, argv)
    fit_torch_threads()
    if args.games < 1:
        raise SystemExit(f"error: --games must be at least 1, got {args.games}")
    device = options.device(args.device)
    try:
        agent = load_agent(args.run, seed=args.seed, device=device, **dataclasses.asdict(args.play))
    except (OSError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    n = agent.adapter.num_players
    if not 0 <= args.seat < n:
        raise SystemExit(f"error: --seat {args.seat} does not exist in {agent.adapter.name} (seats 0..{n - 1})")
    try:
        play(agent, args.seat, args.games, random.Random(args.seed), read, write)
    except KeyboardInterrupt:
        write("\nquit.")


if __name__ == "__main__":
    main()
