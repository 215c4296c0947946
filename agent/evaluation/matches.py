"""Head-to-head evaluation on real games: a player against an opponent, seats rotated, with 95% intervals."""
from __future__ import annotations

import math
import random
import statistics

import tqdm

from agent.agent import Agent
from agent.evaluation.players import AgentPlayer, Player, UniformRandom
from games.base import GameAdapter
from games.chance import sample_chance


def head_to_head(adapter: GameAdapter, player: Player, opponent: Player, games: int, seed: int,
                 progress: str | None = None) -> dict:
    """`player`'s mean return per game against `opponent` (95% interval), win rate, mean by seat, histories.

    Game g seats `player` at g mod N and `opponent` at every other seat; chance follows the real rules with
    a seeded generator. All games advance together, so each side's moves are asked for in batches. `progress`,
    if given, describes a progress bar over the games finished. In a one-player game (blackjack) the opponent
    has no seat, so it plays as many games alone, and what it gets there is the table's mean the player is
    measured against (marked `alone`; the margin's interval then adds both means' variances).
    """
    n = adapter.num_players
    player.reset(seed)
    opponent.reset(seed + 1)
    seats = [g % n for g in range(games)]
    states = _play(adapter, player, opponent, seats, random.Random(seed), progress)
    returns = [s.returns()[seat] for s, seat in zip(states, seats)]
    result = summarize(returns, [s.returns() for s in states], seats, n)
    if n == 1:
        alone = [s.returns()[0] for s in _play(adapter, opponent, opponent, seats, random.Random(seed + 2), progress)]
        table = statistics.fmean(alone)
        result |= {"alone": True, "table_mean": table, "margin": result["mean_return"] - table,
                   "margin_ci95": math.hypot(result["ci95"], _half(alone))}
    return result | {"histories": [list(s.history()) for s in states]}


def _play(adapter: GameAdapter, player: Player, opponent: Player, seats: list[int], rng: random.Random,
          progress: str | None) -> list:
    """Play len(`seats`) games to their ends, `player` at `seats[g]` of game g and `opponent` elsewhere."""
    games = len(seats)
    states = [adapter.new_initial_state() for _ in range(games)]
    bar = tqdm.tqdm(total=games, unit="game", desc=progress, disable=progress is None, leave=False)
    while True:
        mine, theirs = [], []
        for g, s in enumerate(states):
            sample_chance(s, rng)
            if not s.is_terminal():
                (mine if s.current_player() == seats[g] else theirs).append((g, s))
        bar.update(games - len(mine) - len(theirs) - bar.n)
        if not mine and not theirs:
            break
        for side, moves in ((player, mine), (opponent, theirs)):
            if moves:
                for (_, s), action in zip(moves, side.act(moves)):
                    s.apply_action(action)
    bar.close()
    return states


def _half(values: list[float]) -> float:
    """Half the 95% interval of the mean of `values` (normal approximation; nan for fewer than two)."""
    return 1.96 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")


def won(mine: float, table: list[float]) -> bool:
    """Whether a seat that got `mine` at a table whose seats got `table` won: alone against the house (one
    player, blackjack), a return above 0; else a return above the table's mean, which is the strictly better
    return in two-player games, the winning side in team games (partners share a result: bridge, spades, euchre;
    dou_dizhu's peasants) and a better than even result in N-player games (hearts)."""
    if len(table) == 1:
        return mine > 0
    return mine > statistics.fmean(table)


def summarize(returns: list[float], all_returns: list[list[float]], seats: list[int], n: int) -> dict:
    """Mean, 95% interval (normal approximation), win rate (`won`), mean by seat, the mean return of a seat at
    these tables (0 in zero-sum games; what an even player would get elsewhere), and the margin: the mean, with
    its interval, of each game's return less its table's mean (0 for an even player, in any game)."""
    games = len(returns)
    mean = statistics.fmean(returns)
    wins = sum(won(r, rs) for r, rs in zip(returns, all_returns))
    by_seat = {seat: statistics.fmean([r for r, s in zip(returns, seats) if s == seat])
               for seat in range(n) if seat in seats}
    table = statistics.fmean(statistics.fmean(rs) for rs in all_returns)
    margins = [r - statistics.fmean(rs) for r, rs in zip(returns, all_returns)]  # 0 for an even player
    return {"mean_return": mean, "ci95": _half(returns), "win_rate": wins / games, "games": games,
            "by_seat": by_seat, "table_mean": table, "margin": statistics.fmean(margins), "margin_ci95": _half(margins)}


def figure_to_beat(alone: bool) -> str:
    """Who gets the `table_mean` of a match against uniform random: an even seat, or in a one-player game
    (`alone`) uniform random playing it."""
    return "uniform random alone" if alone else "an even seat"


def versus_random(agent: Agent, games: int, seed: int, progress: str | None = None) -> dict:
    """The agent's mean return per game against uniform-random opponents (see `head_to_head`)."""
    return head_to_head(agent.adapter, AgentPlayer(agent), UniformRandom(seed), games, seed, progress)
