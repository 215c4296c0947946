"""Hearts: four players, 13 cards each, pass three cards in a public direction, then 13 tricks avoiding points."""
from games import cards, deals, tricks
from games.base import Event, GameAdapter, only

DEAL_END = 53  # history length when the deal is complete (pass direction + 52 cards)
PASS_END = DEAL_END + 12  # history length when all passes are made
HEARTS, QUEEN_OF_SPADES = 2, 43  # the hearts suit index and the queen of spades' card index


def card(index: int) -> str:
    """OpenSpiel's hearts card index (rank * 4 + suit, suits CDHS) -> shared card name."""
    return cards.rank_major(index)


def order(index: int) -> tuple[int, int]:
    """The key a hand is written in: suit, then rank."""
    return index % 4, index // 4


def hand(indices) -> tuple[str, ...]:
    """Card names of `indices`, suit by suit, low to high (OpenSpiel shows hands as sets)."""
    return tuple(card(i) for i in sorted(indices, key=order))


class Hearts(GameAdapter):
    """The pass direction is public (`pass p+k`: cards go k seats on; `pass me`: no pass).

    Nobody sees the deal order (OpenSpiel's information state shows hands as sets): the dealing
    steps show nothing, and the one that completes the deal shows each player their own hand,
    sorted (the others' hands are their hidden words). A passed card is seen by its passer; once
    all have passed, each receiver (and its passer) sees the three cards it got, sorted as
    OpenSpiel shows them. Plays and trick winners are public.
    """

    name = "hearts"
    has_resampler = True
    cpp_ismcts_fails = ("OpenSpiel's ISMCTSBot dies with a segmentation fault in hearts' passing phase "
                        "(pure pyspiel, 50 simulations, the 10th decision)")
    resampler_fails = ("OpenSpiel's hearts resampler ignores voids and leaves worlds with no legal play (its Python "
                       "IS-MCTS stops in the passing phase: 'a' cannot be empty)")
    phases = ("pass", "play")
    belief_walk = True  # a guide keeps the walk's choices to possible deals and passes
    words = ("receive", "trick", "broken", "first", "points")
    window = 32  # the view holds the hands, the trick, broken hearts and each seat's points: the rest is context

    def __init__(self, game, params):
        super().__init__(game, params)
        rules = game.get_parameters()
        self.qs_breaks = rules["qs_breaks_hearts"]
        self.no_points_first = rules["no_pts_on_first_trick"]
        self.broken_at_start = not rules["must_break_hearts"]
        self.hearts_for_queen = rules["can_lead_hearts_instead_of_qs"]

    def initial_context(self):
        return {"n": 0, "dir": 0, "trick": (), "hands": None, "played": 0, "broken": False, "points": (0,) * 4}

    def step(self, ctx, before, actor, action, after):
        n = ctx["n"]
        ctx["n"] = n + 1
        if n == 0:
            ctx["dir"] = action
            return [Event("pass", None, ("me" if action == 0 else f"p+{action}",))]
        if actor < 0:  # card n - 1 of the deal goes to player (n - 1) % 4; nobody is told the order
            if n + 1 < DEAL_END:
                return []
            dealt = after.history()[1:DEAL_END]
            ctx["hands"] = tuple(frozenset(dealt[p::4]) for p in range(4))
            return [Event("deal", p, hand(dealt[p::4]), only(p)) for p in range(4)]
        ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
        if ctx["dir"] and n < PASS_END:
            events = [Event("pass", actor, (card(action),), only(actor))]
            if n + 1 == PASS_END:
                passed = after.history()[DEAL_END:PASS_END]
                for passer in range(4):
                    receiver = (passer + ctx["dir"]) % 4
                    got = passed[3 * passer:3 * passer + 3]
                    ctx["hands"] = cards.give(ctx["hands"], receiver, add=got)
                    events.append(Event("receive", receiver, hand(got), only(passer, receiver)))
            return events
        ctx["played"] += 1
        ctx["broken"] |= action % 4 == HEARTS or (action == QUEEN_OF_SPADES and self.qs_breaks)
        events = [Event("play", actor, (card(action),))]
        trick = [rank * 4 + suit for _, suit, rank in ctx["trick"]] + [action]
        taker = tricks.follow(ctx, actor, action % 4, action // 4, 4)
        if taker is None:
            return events
        points = sum(c % 4 == HEARTS for c in trick) + 13 * (QUEEN_OF_SPADES in trick)
        ctx["points"] = tuple(k + points * (seat == taker) for seat, k in enumerate(ctx["points"]))
        return events + [Event("take", taker)]

    def view(self, ctx):
        """Every seat's `hand ...` now (its owner's alone: the others' end the hidden words); once play starts,
        the public `[first] trick CARDS...` (the current trick so far; `first` on the first, where no points may
        fall) and `broken` once hearts are broken: what the legal plays depend on; and `points Nk` of each seat
        that has taken any (a heart 1, the queen of spades 13): what the score depends on, so that the networks
        can read a window of the history beside the view."""
        if ctx["hands"] is None:
            return []
        events = [Event("hand", p, hand(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        if ctx["n"] < (PASS_END if ctx["dir"] else DEAL_END):
            return events
        table = [Event("first")] if ctx["played"] < 4 else []
        table += [Event("trick", None, tuple(card(rank * 4 + suit) for _, suit, rank in ctx["trick"]))]
        points = [Event("points", p, (f"N{k}",)) for p, k in enumerate(ctx["points"]) if k]
        return events + table + ([Event("broken")] if ctx["broken"] else []) + points

    def phase(self, state):
        history = state.history() if state.move_number() < PASS_END else ()
        return "pass" if history and history[0] != 0 else "play"

    def action_words(self, action, phase):
        return (phase, card(action)) if 0 <= action < 52 else None

    def belief_guide(self, state, player):
        """Where each card may be: a place is (seat, 'kept') or (seat, 'passed'), the 13 cards dealt to a seat
        being the 3 it passes and the 10 it keeps (just the seat when nobody passes). The player knows their own
        hand, their passes and what they received; every card played is in its player's hand, and a hand's
        plays say what it held none of: the suit led when it did not follow, points on the first trick only
        from a hand of points, hearts led before they are broken only from a hand of hearts (OpenSpiel's
        PlayLegalActions). The deal is silent: the walk writes the three other hands (a seat's two places as one
        set) in the order the last deal step shows them, then deals them. None before the deal is complete (no
        one decides then)."""
        steps = deals.moves(state)
        if len(steps) < DEAL_END:
            return None
        way = steps[0][1]
        passes = [(actor, c) for actor, c in steps[DEAL_END:PASS_END]] if way else []
        plays = [(actor, c) for actor, c in steps[DEAL_END + len(passes):]]

        def dealt_to(k):
            return [(k, "kept"), (k, "passed")] if way else [k]

        def hand_of(k):  # the places a seat's hand is made of once the passes are made
            return [(k, "kept"), ((k - way) % 4, "passed")] if way else [k]

        passed = [sum(a == k for a, _ in passes) for k in range(4)]
        capacity = ({(k, w): (13 - passed[k] if w == "kept" else passed[k]) for k in range(4)
                     for w in ("kept", "passed")} if way else {k: 13 for k in range(4)})
        holders = deals.Holders(range(52), capacity)
        mine = {c for _, c in steps[1 + player:DEAL_END:4]}
        mine_passed = {c for a, c in passes if a == player}
        for c in range(52):
            if c not in mine:
                holders.drop(c, dealt_to(player))
            elif way:
                holders.keep(c, [(player, "passed" if c in mine_passed else "kept")])
            else:
                holders.keep(c, [player])
        giver = (player - way) % 4
        if len(passes) == 12:  # the cards the player received are shown
            for a, c in passes:
                if a == giver:
                    holders.keep(c, [(giver, "passed")])
        for seat, c in plays:
            holders.keep(c, hand_of(seat))
        holders.read_voids(plays, 4, lambda c: c % 4, hand_of)
        points = [c for c in range(52) if c % 4 == HEARTS or c == QUEEN_OF_SPADES]
        broken = self.broken_at_start
        for i, (seat, c) in enumerate(plays):
            if 0 < i < 4 and self.no_points_first and c in points:  # points on the first trick
                deals.held_none(holders, plays, i, set(range(52)) - set(points), hand_of(seat))
            if i % 4 == 0 and i > 0 and c % 4 == HEARTS and not broken:  # hearts led unbroken
                others = set(range(52)) - set(range(HEARTS, 52, 4)) - ({QUEEN_OF_SPADES} if self.hearts_for_queen
                                                                        else set())
                deals.held_none(holders, plays, i, others, hand_of(seat))
            broken |= c % 4 == HEARTS or (c == QUEEN_OF_SPADES and self.qs_breaks)
        if plays:  # the first lead is made by the holder of the two of clubs
            holders.keep(0, hand_of(plays[0][0]))

        def route(ctx, before, actor, action):
            return (action, [(actor, "passed")]) if actor >= 0 and way and ctx["n"] < PASS_END else None
        return holders.guide(route, slots={1 + k: k % 4 for k in range(52)}, word=card, order=order,
                             sets={DEAL_END - 1: [(k, 13) for k in range(4) if k != player]},
                             groups={k: dealt_to(k) for k in range(4)})
