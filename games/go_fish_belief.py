"""What one go fish player knows about the deal, as the exact test the belief walk (games.belief) needs.

Only the deal is hidden: a deal step shows its seat (and `meld ?` where it completed a book, whose cards leave the
hand, the seat being dealt on to its full hand), everything after it is public: asks, how many cards the asked
player hands over, draws, books. So once it is known how many of each rank each seat was dealt, every count after
the deal follows, and the public history holds rank by rank (OpenSpiel's go_fish.cc): an ask of rank r needs the
asker to hold one (GenerateAsks), the asked seat hands over exactly what it holds (DoApplyAction, kAsk), a draw
of r needs one in the pool (GenerateDraws), and a book is scored exactly when a hand reaches `suits` of a rank
(CheckBook). Across ranks, a seat is dealt as many cards as it had deal steps, and books as many ranks as its deal
showed melds, each completed at one of those steps.

`DealFacts` gathers those facts from the public history and the player's own cards; `DealBelief` is the
allocation-like object the walk keeps: the counts dealt so far, and whether the deal can still be completed
consistently with every fact (a memoised search over ranks, a few hundred states at most).
"""
from __future__ import annotations

import dataclasses
import itertools

import pyspiel

ASK, DRAW = 0, 1


@dataclasses.dataclass(frozen=True)
class DealFacts:
    """The deal's public shape and the facts that bound each rank's dealt counts, read from what `player` knows.

    `seats[t]` is the seat dealt to at deal step t and `melds[t]` whether it completed a book there; `mine[t]`
    the rank the player was dealt at their own steps; `others` the hidden seats; `steps[j]` and `books[j]` how
    many cards and books hidden seat `others[j]` was dealt; `allowed[r]` the tuples (a count per hidden seat,
    `suits` for a book) of rank r the history after the deal admits."""

    suits: int
    seats: tuple[int, ...]
    melds: tuple[bool, ...]
    mine: dict[int, int]
    others: tuple[int, ...]
    steps: tuple[int, ...]
    books: tuple[int, ...]
    allowed: tuple[tuple[tuple[int, ...], ...], ...]

    @classmethod
    def read(cls, state: pyspiel.State, player: int, hand_size: int) -> DealFacts | None:
        """The facts of `state`'s history for `player`; None while the deal is not complete."""
        game = state.get_game()
        n, ranks = game.num_players(), int(game.get_parameters()["ranks"])
        suits = int(game.get_parameters()["suits"])
        seats, melds, mine, events = [], [], {}, [[] for _ in range(ranks)]
        replay = game.new_initial_state()
        for action in state.history():
            phase, current = str(replay).split("\n", 2)[:2]  # the phase and the player to move: public
            books = replay.player_books()
            if phase == "Deal":
                seat = next(p for p in range(n) if replay.player_counts(p) != hand_size)
                if seat == player:
                    mine[len(seats)] = action
                seats.append(seat)
                replay.apply_action(action)
                melds.append(replay.player_books()[seat] != books[seat])
                continue
            if replay.is_chance_node():  # a draw from the pool, seen by all (go_fish.PUBLIC_DRAWS)
                seat = int(current)
                replay.apply_action(action)
                events[action].append((DRAW, seat, -1, -1, replay.player_books()[seat] != books[seat]))
                continue
            seat, (target, r) = replay.current_player(), divmod(action, ranks)
            counts = replay.player_counts(target)
            replay.apply_action(action)
            given = counts - replay.player_counts(target)
            events[r].append((ASK, seat, target, given, replay.player_books()[seat] != books[seat]))
        if not seats or str(replay).startswith("Deal"):
            return None
        others = tuple(p for p in range(n) if p != player)
        dealt_mine = [0] * ranks
        for r in mine.values():
            dealt_mine[r] += 1
        allowed = []
        for r in range(ranks):
            fits = []
            for counts in itertools.product(range(suits + 1), repeat=len(others)):
                dealt = list(counts)
                dealt.insert(player, dealt_mine[r])
                if sum(dealt) <= suits and _replays(dealt, events[r], suits):
                    fits.append(counts)
            allowed.append(tuple(fits))
        return cls(suits, tuple(seats), tuple(melds), mine, others,
                   tuple(seats.count(p) for p in others),
                   tuple(sum(m for s, m in zip(seats, melds) if s == p) for p in others), tuple(allowed))


def _replays(dealt: list[int], events: list[tuple], suits: int) -> bool:
    """Whether one rank's public history after the deal replays with `dealt` of it dealt to each seat (`suits`:
    booked during the deal)."""
    hold = [d if d < suits else 0 for d in dealt]
    pool = suits - sum(dealt)
    for kind, seat, target, given, booked in events:
        if kind == ASK:
            if hold[seat] < 1 or hold[target] != given:
                return False
            hold[seat], hold[target] = hold[seat] + given, 0
        else:
            if pool < 1:
                return False
            pool, hold[seat] = pool - 1, hold[seat] + 1
        if (hold[seat] == suits) != booked:
            return False
        if booked:
            hold[seat] = 0
    return True


class DealBelief:
    """The deal so far (`t` steps, `counts[j][r]` of rank r dealt to hidden seat `others[j]`), which can still be
    completed consistently with every fact; immutable, `restrict` gives the next step's (games.deals.Guide)."""

    def __init__(self, facts: DealFacts, t: int, counts: tuple[tuple[int, ...], ...]):
        self.facts, self.t, self.counts = facts, t, counts

    @classmethod
    def start(cls, facts: DealFacts) -> DealBelief:
        """Nothing dealt yet."""
        return cls(facts, 0, tuple((0,) * len(facts.allowed) for _ in facts.others))

    def can_restrict(self, rank: int, places) -> bool:
        """Whether `restrict` would give a belief (the walk's check of a candidate it may never take)."""
        return self.restrict(rank, places) is not None

    def restrict(self, rank: int, places) -> DealBelief | None:
        """The deal with `rank` dealt at the next step (to the one seat of `places`); None where that shows
        otherwise than the real step did (the player's own card, a book or none) or leaves no way to complete
        the deal."""
        f, t = self.facts, self.t
        seat = f.seats[t]
        if list(places) != [seat]:
            raise ValueError(f"deal step {t} goes to seat {seat}, not {list(places)}")
        if seat not in f.others:
            return DealBelief(f, t + 1, self.counts) if f.mine[t] == rank else None
        j = f.others.index(seat)
        have = self.counts[j][rank] + 1
        if have > f.suits or (have == f.suits) != f.melds[t]:
            return None
        row = list(self.counts[j])
        row[rank] = have
        nxt = DealBelief(f, t + 1, self.counts[:j] + (tuple(row),) + self.counts[j + 1:])
        return nxt if nxt.feasible() else None

    def feasible(self) -> bool:
        """Whether some dealt count of every rank to every hidden seat extends the counts so far, fits every
        rank's history, gives each seat its cards and books, and lets the seat being dealt to complete its books
        at its remaining meld steps."""
        f, t = self.facts, self.t
        dealing = f.others.index(f.seats[t]) if t < len(f.seats) and f.seats[t] in f.others else -1
        # the remaining meld steps of the seat being dealt to, counted in its steps from t on
        due = [i - t + 1 for i in range(t, len(f.seats)) if f.melds[i] and f.seats[i] == f.seats[t]]
        seen: set = set()

        def search(r: int, left: tuple[int, ...], books: tuple[int, ...], needs: tuple[int, ...]) -> bool:
            """Whether ranks r on can be dealt with `left` cards and `books` books still due per hidden seat, the
            seat being dealt to needing `needs` (sorted) more cards for the books it is yet to complete."""
            if r == len(f.allowed):
                if any(left) or any(books):
                    return False
                return all(need <= day for need, day in zip(itertools.accumulate(needs), due))
            key = (r, left, books, needs)
            if key in seen:
                return False
            seen.add(key)
            for dealt in f.allowed[r]:
                new_left, new_books, new_needs = list(left), list(books), needs
                for j, d in enumerate(dealt):
                    c = self.counts[j][r]
                    new_left[j] -= d - c
                    if d < c or new_left[j] < 0:
                        break
                    if d == f.suits:
                        new_books[j] -= 1
                        if new_books[j] < 0:
                            break
                        if j == dealing and c < d:
                            new_needs = tuple(sorted(new_needs + (d - c,)))
                else:
                    if search(r + 1, tuple(new_left), tuple(new_books), new_needs):
                        return True
            return False

        return search(0, tuple(s - sum(c) for s, c in zip(f.steps, self.counts)), f.books, ())
