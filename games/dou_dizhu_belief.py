"""What a dou dizhu player knows about the hidden part of a history: the guide (games.deals.Guide) that keeps the
belief walk (games.belief) to possible worlds, with no look-ahead over the deal.

The hidden part, for a player, is four things, each decided by what the player saw (OpenSpiel's dou_dizhu.cc and
dou_dizhu_utils.cc):
- the face-up position: chance's first step shows nothing, but the deal step that reveals its card says where
  it was (ApplyDealAction: deal number `history_[0]` is face up), so the guide keeps that position alone (the
  walk replays a silent step the guide gives no slot like a step seen whole: the lowest action it keeps);
- the ranks dealt to the two other seats, and so the 3 left over (the kitty): a transport of the 54 cards, rank
  by rank, to the seats and the kitty, each seat holding 17 (every third deal step) and the kitty 3. The
  player's own ranks are seen, and the kitty's if they are the landlord; the face-up card is its seat's, at its
  step; every card a seat plays was in its hand (AfterPlayHand), which is its deal, with the kitty for the
  landlord; and a seat that played a chain (of solos, pairs or trios) from a rank it had not played before held
  at most 3 of that rank (SearchChainOnlyActions skips a chain head of which the hand holds all four). Those
  are bounds on nested sets of places, so the placements of one rank form a base polytope and Hall's condition
  over the 16 sets of places is exact (`room`, `Belief.fits`);
- the bids the player did not see (ApplyBiddingAction): bids rise strictly, a bid of 3 or two passes after a
  bid end the auction (three passes end the game), and the adapter shows everyone when the top bidder changes
  and when the auction ends; the player knew the winning bid whenever they were to bid, from their legal bids
  (BiddingLegalActions). A backward pass over the auction's steps (`_Facts.solve_auction`) gives the states
  from which it can still be replayed as the player saw it;
- which action an ambiguous airplane was (its kickers, seen by its player alone): later plays of the same trick
  must beat it (PlayLegalActions: the trick's winning action), and the player knew their own legal plays. A
  look-ahead over the rest of the trick decides it on the world's state, which the deal has fixed by then (a
  new trick starts with nothing to beat, and each reading moves the same cards).
The parts are independent: bids do not depend on the cards, and the cards a play moves do not depend on its
reading. Beyond what OpenSpiel's observation shows, the guide reads the player's own legal actions, past and
present, which they saw when they chose.

The walk asks `route(ctx, before, actor, action)` at every candidate action and keeps it if the guide's
`Belief.restrict(key, what)` gives a belief back. Candidates that cannot be the step (another set of cards than
the one played, a card of a rank a lower card id left in the deck also has: the walk would take that one) are
refused there, before the walk builds their state.
"""
from __future__ import annotations

import collections
import functools
import itertools

import pyspiel

from games.deals import Guide

NUM_RANKS, SEATS, KITTY, HAND, DEAL_BASE, AUCTION_START = 15, 3, 3, 17, 51, 52
COUNT = (4,) * 13 + (1, 1)  # cards of each rank: 3 .. 2, then the black and the red joker
SETS = range(1, 15)  # the proper non-empty sets of places (bit p: seat p; bit 3: the kitty)
ENDED, OVER = "ended", "over"  # auction states: it has a landlord; three passes ended the game
REFUSE = ("refuse", None)  # a route's answer for a candidate that cannot be the step


def rank_of(card: int) -> int:
    """OpenSpiel's rank index (0 .. 14) of its card index (suit-major over 3 .. 2, then the two jokers)."""
    return card % 13 if card < 52 else card - 39


@functools.lru_cache(maxsize=1)
def groups() -> dict[tuple[str, ...], tuple[int, ...]]:
    """Each set of cards a play can show (sorted rank words) -> the play actions that show it."""
    from games.dou_dizhu import tables

    by_cards = collections.defaultdict(list)
    for action, cards in tables()[0].items():
        by_cards[cards].append(action)
    return {cards: tuple(actions) for cards, actions in by_cards.items()}


@functools.cache
def room(u: int, lo: tuple[int, ...], hi: tuple[int, ...], pair: int, m: int, most: int) -> tuple[int, ...] | None:
    """For one rank with `u` cards still in the deck: for each set S of places (a bit mask), the most of them S
    can get, each place p getting from lo[p] to hi[p] of them and `pair` (the landlord's seat, -1: none) with
    the kitty from m to `most`; None if they cannot be placed at all. These bounds are on nested sets of
    places, so the counts a rank can take form a base polytope and the most S can get is submodular in S: the
    ranks can be placed together, each place filled exactly, iff every S has room for what it must hold."""
    best = None
    for y in itertools.product(*(range(a, b + 1) for a, b in zip(lo[:3], hi[:3]))):
        k = u - sum(y)
        if not lo[3] <= k <= hi[3] or (pair >= 0 and not m <= y[pair] + k <= most):
            continue
        y = y + (k,)
        sums = [0] * 16
        for s in range(1, 16):
            low = s & -s
            sums[s] = sums[s ^ low] + y[low.bit_length() - 1]
        best = sums if best is None else [max(a, b) for a, b in zip(best, sums)]
    return tuple(best) if best is not None else None


def _shift(total: int, old: int, new: int) -> int:
    return total - old + new


class Belief:
    """The guide's allocation: the world's deal so far against the facts of the real history (immutable;
    `restrict` gives a new belief, or None where the candidate cannot lead on to a possible world)."""

    def __init__(self, facts: _Facts, dealt: tuple[int, ...], sizes: tuple[int, ...], rows: tuple,
                 total: tuple[int, ...]):
        self.facts = facts
        self.dealt = dealt  # cards of rank r dealt to seat s so far in the world: dealt[s * NUM_RANKS + r]
        self.sizes = sizes  # cards dealt to each seat so far
        self.rows, self.total = rows, total  # each rank's `room`, and their sum

    @classmethod
    def start(cls, facts: _Facts) -> Belief | None:
        """The belief before any deal step; None if the facts admit no deal."""
        dealt = (0,) * (SEATS * NUM_RANKS)
        rows = tuple(facts.row(r, dealt) for r in range(NUM_RANKS))
        if any(row is None for row in rows):
            return None
        belief = cls(facts, dealt, (0,) * SEATS, rows, tuple(map(sum, zip(*rows))))
        return belief if belief.fits() else None

    def fits(self) -> bool:
        """Hall's condition: every set of places has room for the cards it still takes."""
        caps = (HAND - self.sizes[0], HAND - self.sizes[1], HAND - self.sizes[2], KITTY)
        need = [0] * 16
        for s in SETS:
            low = s & -s
            need[s] = need[s ^ low] + caps[low.bit_length() - 1]
            if need[s] > self.total[s]:
                return False
        return True

    def can_restrict(self, key: str, what) -> bool:
        """Whether `restrict` would give a belief (the walk's check of a candidate it may never take)."""
        return self.restrict(key, what) is not None

    def restrict(self, key: str, what) -> Belief | None:
        """This belief after a candidate step `key` (deal, up, bid or kicker, with `what` as each branch says);
        None where it cannot lead to a possible world."""
        facts = self.facts
        if key == "deal":  # what: (seat, rank): a card of that rank to that seat
            seat, r = what
            k = seat * NUM_RANKS + r
            dealt = self.dealt[:k] + (self.dealt[k] + 1,) + self.dealt[k + 1:]
            row = facts.row(r, dealt)
            if row is None:
                return None
            total = tuple(map(_shift, self.total, self.rows[r], row))
            sizes = tuple(n + (p == seat) for p, n in enumerate(self.sizes))
            belief = Belief(facts, dealt, sizes, self.rows[:r] + (row,) + self.rows[r + 1:], total)
            return belief if belief.fits() else None
        if key == "up":  # what: the face-up position
            return self if facts.up_ok(what) else None
        if key == "bid":  # what: (auction step, the auction's state after it)
            j, after = what
            return self if after in facts.auction[j + 1] else None
        if key == "kicker":  # what: (history index, the world's state after the play)
            i, after = what
            return self if facts.trick_rest(i + 1, after, 0) else None
        return None  # REFUSE


class _Facts:
    """What the player knows, read from the events of the real history as they rendered to the player."""

    def __init__(self, player: int):
        self.player = player
        self.up, self.up_rank, self.deals_seen = -1, -1, 0  # face-up position and rank (-1: not yet revealed)
        self.own = [0] * NUM_RANKS  # the ranks dealt to the player
        self.dizhu, self.kitty = -1, None  # the landlord, once known; the kitty's ranks, if seen
        self.played = [[0] * NUM_RANKS for _ in range(SEATS)]
        self.most = [[4] * NUM_RANKS for _ in range(SEATS)]  # the most of each rank a seat's hand held (its deal,
        # and the kitty for the landlord): 3 where it led or followed with a chain from that rank before playing
        # any card of it (SearchChainOnlyActions skips a chain head of which the hand holds all four)
        self.auction_steps: list[tuple] = []  # (actor, raise shown, end shown, own action, own winning bid)
        self.auction: list[set] = []
        self.end: tuple = ()  # what the player knows of the auction's state at the end of the history
        self.plays: dict[int, tuple] = {}  # history index -> (actor, cards shown or None (a pass), own action)
        self.legal: dict[int, tuple[int, ...]] = {}  # history index -> the player's legal actions, where a
        # reading of an earlier ambiguous play of the trick may change them
        self.length = 0

    # ----- the deal -----
    def up_ok(self, position: int) -> bool:
        return position == self.up if self.up >= 0 else position >= self.deals_seen

    def row(self, r: int, dealt: tuple[int, ...]) -> tuple[int, ...] | None:
        """The room of rank r (`room`) with the world's deal so far (`Belief.dealt`)."""
        have = dealt[r::NUM_RANKS]  # of rank r, dealt to each seat so far
        u = COUNT[r] - sum(have)
        if u < 0:
            return None
        lo, hi, pair, m, most = [0] * 4, [u] * 4, -1, 0, 4
        pending = 0 <= self.up and sum(dealt) <= self.up  # the face-up card is still to be dealt
        for s in range(SEATS):
            if s == self.player:
                lo[s] = self.own[r] - have[s]
                if self.deals_seen == 51:  # the player's whole deal is known
                    hi[s] = lo[s]
                continue
            face = int(pending and s == self.up % SEATS and r == self.up_rank)  # one of its cards still to come
            if s == self.dizhu:  # what the landlord plays came from their deal and the kitty
                pair, m, most, lo[s] = s, self.played[s][r] - have[s], self.most[s][r] - have[s], face
            else:
                lo[s] = max(face, self.played[s][r] - have[s])
                hi[s] = min(u, self.most[s][r] - have[s])
        if self.kitty is not None:
            lo[3] = hi[3] = self.kitty[r]
        if any(a < 0 or a > b for a, b in zip(lo, hi)):
            return None
        return room(u, tuple(lo), tuple(hi), pair, m, most)

    # ----- the auction -----
    def solve_auction(self) -> None:
        """auction[j]: the auction states (winning bid, top bidder as the adapter shows it, passes in a row) from
        which its steps j on replay as the player saw them."""
        states = [(w, t, n) for w in range(3) for t in range(SEATS) for n in range(3)]
        self.auction = [set() for _ in self.auction_steps] + [self.end_states(states)]
        for j in range(len(self.auction_steps) - 1, -1, -1):
            actor, raised, ended, own, bid = self.auction_steps[j]
            for state in states:
                if actor == self.player and state[0] != bid:
                    continue
                options = [own] if actor == self.player else [0] + list(range(state[0] + 1, 4))
                for b in options:
                    after, shown = bidding(state, actor, b)
                    if shown == (raised, ended) and after in self.auction[j + 1]:
                        self.auction[j].add(state)
                        break

    def end_states(self, states) -> set:
        kind = self.end[0] if self.end else "open"
        if kind == "ended":
            return {ENDED}
        if kind == "over":
            return {OVER}
        bid = self.end[1] if self.end else None
        return {s for s in states if bid is None or s[0] == bid}

    # ----- the kicker readings -----
    def trick_rest(self, j: int, state: pyspiel.State, passes: int) -> bool:
        """Whether the trick's steps from history index j on can be replayed from the world's `state` as the
        player saw them, with the player's legal plays what they were."""
        while True:
            if passes == 2 or j == self.length:
                return j != self.length or j not in self.legal or tuple(state.legal_actions()) == self.legal[j]
            actor, cards, own = self.plays[j]
            if j in self.legal and tuple(state.legal_actions()) != self.legal[j]:
                return False
            legal = state.legal_actions()
            if cards is None:
                if 0 not in legal:
                    return False
                state, j, passes = state.child(0), j + 1, passes + 1
                continue
            options = [a for a in ((own,) if actor == self.player else groups()[cards]) if a in legal]
            if len(options) == 1:
                state, j, passes = state.child(options[0]), j + 1, 0
                continue
            return any(self.trick_rest(j + 1, state.child(a), 0) for a in options)


def bidding(state: tuple[int, int, int], actor: int, bid: int) -> tuple:
    """The auction's state after `actor` bids `bid` (0: pass), and what everyone sees of it: (a raise, the end)."""
    w, top, passes = state
    if bid == 0:
        if passes + 1 == 3:
            return OVER, (False, False)
        if passes + 1 == 2 and w:
            return ENDED, (False, True)
        return (w, top, passes + 1), (False, False)
    raised = actor != top
    if bid == 3:
        return ENDED, (raised, True)
    return (bid, actor, 0), (raised, False)


def read(adapter, state: pyspiel.State, player: int) -> _Facts:
    """The facts the player knows at `state`, from the events as they rendered to them (and their own actions,
    with the legal actions they had)."""
    facts = _Facts(player)
    facts.length = len(state.history())
    truth, ctx = adapter.new_initial_state(), adapter.initial_context()
    trick_ambiguous, passes = False, 0
    for i, action in enumerate(state.history()):
        actor = truth.current_player()
        mine = actor == player
        bid = _winning_bid(truth) if mine and ctx["bidding"] and i >= AUCTION_START else None
        after = truth.child(action)
        in_play = not ctx["bidding"]
        events = adapter.step(ctx, truth, actor, action, after)
        for ev in events:
            shown = ev.knows(player) and ev.sees(player)
            if ev.verb == "deal" and shown:
                facts.own[_rank(ev.payload[0])] += 1
            elif ev.verb == "reveal":
                facts.up, facts.up_rank = i - 1, _rank(ev.payload[0])
                if ev.seat == player:
                    facts.own[facts.up_rank] += 1
            elif ev.verb == "take":
                facts.dizhu = ev.seat
                if shown:
                    kitty = [0] * NUM_RANKS
                    for word in ev.payload:
                        kitty[_rank(word)] += 1
                    facts.kitty = kitty
            elif ev.verb == "play":
                if not mine and _chain(ev.payload, any(e.verb == "kicker" for e in events)):
                    head = _rank(ev.payload[0])
                    if not facts.played[actor][head]:
                        facts.most[actor][head] = 3
                for word in ev.payload:
                    facts.played[ev.seat][_rank(word)] += 1
        if actor < 0:
            facts.deals_seen = i
        elif not in_play:
            verbs = {ev.verb for ev in events}
            facts.auction_steps.append((actor, "raise" in verbs, "take" in verbs, action if mine else None, bid))
        else:
            if mine and trick_ambiguous:
                facts.legal[i] = tuple(truth.legal_actions())
            cards = next((ev.payload for ev in events if ev.verb == "play"), None)
            facts.plays[i] = (actor, cards, action if mine else None)
            if cards is None:
                passes += 1
                if passes == 2:
                    trick_ambiguous, passes = False, 0
            else:
                passes = 0
                trick_ambiguous |= not mine and len(groups()[cards]) > 1
        truth = after
    if truth.is_terminal():
        facts.end = ("over",) if ctx["bidding"] else ("ended",)
    elif not ctx["bidding"]:
        facts.end = ("ended",) if facts.auction_steps else ()
        if truth.current_player() == player and trick_ambiguous:
            facts.legal[facts.length] = tuple(truth.legal_actions())
    elif facts.length >= AUCTION_START:
        facts.end = ("open", _winning_bid(truth) if truth.current_player() == player else None)
    return facts


def _winning_bid(state: pyspiel.State) -> int:
    """The winning bid so far, as the player to bid knows it from their legal bids (BiddingLegalActions: a pass,
    or any bid above it)."""
    return 4 - len(state.legal_actions())


def _chain(cards: tuple[str, ...], kicker: bool) -> bool:
    """Whether a play of `cards` was a chain alone (of solos, pairs or trios), its kickers' event said or not.

    That event is the player's alone, so this reads whether a play of four trios in a row was an airplane with
    three solos (a kicker event) or four trios alone (none): the walk reads it too, from the count of words the
    player did not see at the step (games.belief._fits), and offers only readings of the same kind."""
    options = [a for a in groups()[cards] if (a in _kicked()) == kicker]
    return all(a in CHAINS for a in options)


CHAINS = frozenset(range(19, 55)) | frozenset(range(68, 120)) | frozenset(range(471, 516))  # OpenSpiel's
# kSoloChainActionBase .. kPairActionBase, kPairChainActionBase .. kTrioActionBase, kAirplaneActionBase ..
# kAirplaneWithSoloActionBase: the actions SearchChainOnlyActions makes


@functools.cache
def _kicked() -> frozenset[int]:
    """The play actions the adapter writes a kicker event for (ambiguous ones with kickers)."""
    from games.dou_dizhu import tables

    _, words, ambiguous = tables()
    return frozenset(a for a in ambiguous if "kicker" in words[a])


def _rank(word: str) -> int:
    from games.dou_dizhu import RANKS

    return RANKS.index(word)


def guide(adapter, state: pyspiel.State, player: int) -> Guide:
    """The guide of what `player` knows at `state` (games.deals.Guide: an allocation and a route)."""
    facts = read(adapter, state, player)
    facts.solve_auction()
    belief = Belief.start(facts)
    if belief is None:
        raise ValueError("dou_dizhu: the history contradicts what its player saw")

    def route(ctx, before, actor, action):
        i = before.move_number()
        if i == 0:
            return "up", action
        if actor < 0:
            card = action - DEAL_BASE
            if card < 52 and any(ctx["left"] >> lower & 1 for lower in range(card % 13, card, 13)):
                return REFUSE  # a lower card of the same rank is still in the deck: the walk would take that one
            return "deal", ((i - 1) % SEATS, rank_of(card))
        if ctx["bidding"]:
            return "bid", (i - AUCTION_START, bidding((ctx["best"], ctx["dizhu"], ctx["passes"]), actor, action)[0])
        if i not in facts.plays:
            return None
        _, cards, own = facts.plays[i]
        if own is not None:
            return None if action == own else REFUSE
        if cards is None:
            return None if action == 0 else REFUSE
        options = groups()[cards]
        if action not in options:
            return REFUSE
        return None if len(options) == 1 else ("kicker", (i, before.child(action)))
    return Guide(belief, route)
