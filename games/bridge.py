"""Contract bridge: four players in two partnerships, thirteen cards each, an auction, then thirteen tricks
with the declarer also playing the dummy's cards (the play is kept: no double-dummy shortcut)."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

DECK = 52
CALLS = 52  # action 52 + call: 0 pass, 1 double, 2 redouble, 3.. bids level 1..7 x C D H S NT
DENOMINATIONS = cards.SUIT_WORDS + ("notrump",)


def order(c: int) -> tuple[int, int]:
    """The key a hand is written in: suit, then rank."""
    return c % 4, c // 4


def hand(indices) -> tuple[str, ...]:
    """Card names of a hand, sorted by suit then rank (OpenSpiel shows hands as sets)."""
    return tuple(cards.rank_major(c) for c in sorted(indices, key=order))


class Bridge(GameAdapter):
    """Nobody sees the deal order (OpenSpiel's information state shows hands as sets): the dealing steps show
    nothing, and the one that completes the deal shows each player their own hand, sorted. The dealer and
    every call are public; after the opening lead the dummy's hand is revealed to all. Each play is written
    under the seat whose hand the card leaves, also when the declarer plays it from the dummy.
    """

    name = "bridge"
    default_params = {"use_double_dummy_result": False}
    words = ("notrump", "tricks", "contract")
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals
    stream_version = 1  # a trick ends with `pK take`, its taker
    table_words = ("trick",)  # the suit to follow
    window = 32  # the view holds the hands, the bid to beat or the contract and declarer, the trick, its leader and
    # each seat's tricks: what the legal calls and plays and the score depend on; the rest of the history is context

    def initial_context(self):
        return {"t": 0, "holder": (), "played": 0, "hands": None, "high": None, "doubled": 0, "passes": 0,
                "first": {}, "declarer": None, "leader": None, "trick": (), "won": (0,) * 4}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            if t < DECK - 1:  # nobody sees the order
                return []
            dealt = after.history()[:DECK]  # card i of the deal goes to player i % 4; the dealer bids first
            holder = [0] * DECK
            for i, c in enumerate(dealt):
                holder[c] = i % 4
            ctx["holder"] = tuple(holder)
            ctx["hands"] = tuple(frozenset(dealt[p::4]) for p in range(4))
            return [Event("dealer", after.current_player())] + [Event("deal", p, hand(dealt[p::4]), only(p))
                                                                 for p in range(4)]
        words = self.action_words(action, "play")
        if action >= CALLS:
            self._call(ctx, actor, action - CALLS)
            return [Event(words[0], actor, words[1:])]
        seat = ctx["holder"][action]
        events = [Event("play", seat, words[1:])]
        if ctx["played"] == 0:  # opening lead by the declarer's left: now the dummy is shown
            dummy = (seat + 1) % 4
            events.append(Event("reveal", dummy, hand(c for c in range(DECK) if ctx["holder"][c] == dummy)))
        ctx["played"] += 1
        ctx["hands"] = cards.give(ctx["hands"], seat, remove=(action,))
        trump = ctx["high"][1] if ctx["high"][1] < 4 else None
        taker = tricks.follow(ctx, seat, action % 4, action // 4, 4, trump=trump)
        if taker is not None:
            ctx["won"] = tuple(k + (p == taker) for p, k in enumerate(ctx["won"]))
            ctx["leader"] = taker
            events.append(Event("take", taker))
        return events

    @staticmethod
    def _call(ctx, actor, call):
        """The auction's bookkeeping: the bid to beat (level, denomination, bidder), whether it is doubled or
        redoubled, the passes since, and who of each side first named each denomination (the declarer is the
        one of the side that wins the contract who first named its denomination)."""
        if call == 0:
            ctx["passes"] += 1
            if ctx["high"] is not None and ctx["passes"] == 3:  # the auction is over
                level, denomination, bidder = ctx["high"]
                ctx["declarer"] = ctx["first"][bidder % 2, denomination]
                ctx["leader"] = (ctx["declarer"] + 1) % 4  # the opening lead is made by the declarer's left
            return
        ctx["passes"] = 0
        if call in (1, 2):
            ctx["doubled"] = call
            return
        level, denomination = divmod(call - 3, 5)
        ctx["high"], ctx["doubled"] = (level + 1, denomination, actor), 0
        if (actor % 2, denomination) not in ctx["first"]:
            ctx["first"] = {**ctx["first"], (actor % 2, denomination): actor}

    def view(self, ctx):
        """Once the deal is complete: every seat's `hand ...` (its owner's alone, the dummy's everyone's once the
        opening lead is made: the others' end the hidden words); in the auction the bid to beat under its bidder,
        `bid Nk DENOMINATION [double|redouble]` (what the legal calls depend on); in the play the contract under
        the declarer, `contract Nk DENOMINATION [double|redouble]`, `lead` under the seat that leads the current
        trick (with the trick's length: whose hand plays next, the declarer's or the dummy's when the declarer
        moves), `tricks Nk` of each seat whose card has won any (the declaring side's against the contract: the
        score), and the public `trick CARDS...` so far (what the legal plays depend on), so that the networks
        can read a window of the history beside the view."""
        if ctx["hands"] is None:
            return []
        dummy = None if ctx["declarer"] is None or not ctx["played"] else (ctx["declarer"] + 2) % 4
        events = [Event("hand", p, hand(h)) if p == dummy else Event("hand", p, hand(h), only(p), only(p))
                  for p, h in enumerate(ctx["hands"])]
        if ctx["high"] is None:
            return events
        level, denomination, bidder = ctx["high"]
        contract = (f"N{level}", DENOMINATIONS[denomination]) + ((), ("double",), ("redouble",))[ctx["doubled"]]
        if ctx["declarer"] is None:
            return events + [Event("bid", bidder, contract)]
        events += [Event("contract", ctx["declarer"], contract), Event("lead", ctx["leader"])]
        events += [Event("tricks", p, (f"N{k}",)) for p, k in enumerate(ctx["won"]) if k]
        return events + [Event("trick", None, tuple(cards.rank_major(rank * 4 + suit)
                                                    for _, suit, rank in ctx["trick"]))]

    def action_words(self, action, phase):
        if 0 <= action < DECK:
            return ("play", cards.rank_major(action))
        call = action - CALLS
        if call in (0, 1, 2):
            return (("pass",), ("double",), ("redouble",))[call]
        if 3 <= call < 38:
            level, denomination = divmod(call - 3, 5)
            return ("bid", f"N{level + 1}", DENOMINATIONS[denomination])
        return None

    def belief_guide(self, state, player):
        """Each seat holds 13 cards; the player knows their own, the dummy's once it is shown, and whose each
        played card was; a hand that did not follow suit held none of the suit led. Calls are legal whatever the
        cards. The deal is silent: the walk writes the three other hands in the order the last deal step shows
        them, then deals them. None before the deal is complete (no one decides then)."""
        steps = deals.moves(state)
        if len(steps) < DECK:
            return None
        dealt = [action for _, action in steps[:DECK]]
        holder = {c: i % 4 for i, c in enumerate(dealt)}
        holders = deals.Holders(range(DECK), {p: 13 for p in range(4)})
        plays = [(holder[c], c) for _, c in steps[DECK:] if c < CALLS]  # the seat a card leaves is shown
        shown = {player} | ({(plays[0][0] + 1) % 4} if plays else set())  # the dummy, after the opening lead
        for c in range(DECK):
            holders.keep(c, [holder[c]]) if holder[c] in shown else holders.drop(c, shown)
        for seat, c in plays:
            holders.keep(c, [seat])
        holders.read_voids(plays, 4, lambda c: c % 4, lambda seat: [seat])
        return holders.guide(lambda ctx, before, actor, action: None, slots={i: i % 4 for i in range(DECK)},
                             sets={DECK - 1: [(k, 13) for k in range(4) if k != player]},
                             word=cards.rank_major, order=order)
