"""Play against a trained agent in the terminal: `python -m scripts.play --run runs/leduc_poker`.

You see what your seat sees, in the game's words (your cards, the table, the pot; `?` for a card hidden from
you), and at the end every card you could not see; the agent plays every other seat with its search; chance
follows the game's own odds.
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
from games.base import Event
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


def who(seat: int | None, you: int) -> str:
    """How the human reads a seat: you, the agent at seat k, or the table."""
    return "table" if seat is None else "you" if seat == you else f"agent (seat {seat})"


def say(events: list[Event], you: int) -> list[str]:
    """`events` as the human at seat `you` reads them: `[whose] verb payload`, `?` for each card they cannot see;
    events they do not know happened are left out."""
    lines = []
    for ev in events:
        if ev.knows(you):
            payload = ev.payload if ev.sees(you) else ("?",) * len(ev.payload)
            lines.append(" ".join(([] if ev.seat is None else [who(ev.seat, you) + ":"]) + [ev.verb, *payload]))
    return lines


class Table:
    """One game as the human at `you` follows it: the adapter's events for every step (agent.tok's view of the
    game, in the vocabulary's words), the game's view where it has one, and OpenSpiel's state."""

    def __init__(self, agent: Agent, you: int):
        self.adapter, self.you = agent.adapter, you
        self.state = self.adapter.new_initial_state()
        self.ctx, self.events = self.adapter.initial_context(), []

    def apply(self, action: int) -> str | None:
        """Play `action` and say in one line what the human saw of it (None for a chance step they see nothing
        of yet: a deal OpenSpiel makes card by card that the game shows as one event when it is complete)."""
        before, actor = self.state.clone(), self.state.current_player()
        text = self.adapter.spoken(before, action) if actor >= 0 else ""
        self.state.apply_action(action)
        events = self.adapter.step(self.ctx, before, actor, action, self.state)
        self.events += events
        if actor == self.you:
            return f"you play: {text}"
        if actor < 0:
            seen = say(events, self.you)
            return "chance: " + "; ".join(seen) if seen else None
        hidden = any(ev.payload and not ev.sees(self.you) for ev in events)
        return f"agent (seat {actor}) " + ("makes a move you cannot see" if hidden else f"plays: {text}")

    def sight(self) -> list[str]:
        """What the human has to decide on: their own cards, the table's, what is at stake, and, where the game
        has no view of its own, OpenSpiel's observation for their seat."""
        if self.adapter.has_view:
            lines = say(self.adapter.view(self.ctx), self.you)
        else:
            mine = [ev for ev in self.events if ev.payload and ev.seat == self.you and ev.visible_to is not None]
            table = [ev for ev in self.events if ev.payload and ev.seat is None]
            lines = [f"your cards: {' '.join(w for ev in mine for w in ev.payload)}"] if mine else []
            lines += [f"table: {'; '.join(say(table, self.you))}"] if table else []
        stakes = self.adapter.stakes(self.state)
        lines += [stakes] if stakes else []
        if not self.adapter.has_view and stakes is None:
            lines.append(f"OpenSpiel shows you: {observation(self.state, self.you)}")
        return lines

    def showdown(self) -> list[str]:
        """At the end: every card the human could not see during the game, seat by seat, the hands where the game
        has a view, and the stakes."""
        hidden: dict[tuple[int | None, str], list[str]] = {}
        for ev in self.events:
            if ev.payload and ev.knows(self.you) and not ev.sees(self.you):
                hidden.setdefault((ev.seat, ev.verb), []).extend(ev.payload)
        lines = [f"{who(seat, self.you)} {verb}: {' '.join(words)}" for (seat, verb), words in hidden.items()]
        if self.adapter.has_view:
            shown = [dataclasses.replace(ev, visible_to=None) for ev in self.adapter.view(self.ctx) if ev.payload]
            lines += say(shown, self.you)
        stakes = self.adapter.stakes(self.state)
        return lines + ([stakes] if stakes else [])


def observation(state: pyspiel.State, seat: int) -> str:
    """OpenSpiel's string for what `seat` knows: its information state where the game has one."""
    if state.get_game().get_type().provides_information_state_string:
        return state.information_state_string(seat)
    return state.observation_string(seat)


def ask(table: Table, read: Callable, write: Callable) -> int | None:
    """Show the human their view and legal moves and read one (its number or exact text); None to quit."""
    state, seat = table.state, table.you
    legal = state.legal_actions()
    names = [table.adapter.spoken(state, a) for a in legal]
    write(f"\n--- your turn (seat {seat}) ---")
    for line in table.sight() + [f"  {i}: {name}" for i, name in enumerate(names)]:
        write(line)
    while True:
        try:
            answer = read(f"your move (0-{len(legal) - 1}, a move's text, q to quit): ").strip()
        except EOFError:
            return None
        if answer.isdigit() and int(answer) < len(legal):
            return legal[int(answer)]
        if answer.lower() in (n.lower() for n in names):
            return legal[[n.lower() for n in names].index(answer.lower())]
        if answer.lower() in ("q", "quit"):
            return None
        write(f"not a legal move: {answer!r}; enter a number from 0 to {len(legal) - 1}, "
              f"a move's exact text (e.g. {names[0]!r}) or q to quit")


def play(agent: Agent, seat: int, games: int, rng: random.Random, read: Callable = input,
         write: Callable = print) -> list[pyspiel.State]:
    """Play `games` games, the human at `seat` through `read`/`write`; returns the finished games' final states."""
    n, finished = agent.adapter.num_players, []
    totals = [0.0] * n
    names = [f"seat {p} ({'you' if p == seat else 'agent'})" for p in range(n)]
    for g in range(games):
        write(f"\n=== game {g + 1} of {games}: {agent.adapter.name}, you are seat {seat} ===")
        table = Table(agent, seat)
        while not table.state.is_terminal():
            state = table.state
            if state.is_chance_node():
                outcomes, probs = zip(*state.chance_outcomes())
                action = rng.choices(outcomes, probs)[0]
            elif state.current_player() == seat:
                action = ask(table, read, write)
                if action is None:
                    write("quit.")
                    return finished
            else:
                action = agent.act(state)
            said = table.apply(action)
            if said:
                write(said)
        write("--- game over ---")
        for line in table.showdown():
            write("  " + line)
        finished.append(table.state)
        returns = table.state.returns()
        totals = [t + r for t, r in zip(totals, returns)]
        write("returns: " + ", ".join(f"{name} {r:+g}" for name, r in zip(names, returns)))
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
