"""Crazy eights: match the previous card's suit or rank (eights are wild and name a suit), draw when stuck."""
from games import cards, deals
from games.base import Event, GameAdapter, only
from games.deadlines import Deadlines

DRAW, PASS, NOMINATE = 52, 53, 54  # player actions after the 52 cards: draw, pass, nominate suit C, D, H, S
DEALER = 52  # chance outcome 52 + seat makes that seat the dealer
EIGHT = 6  # rank index of the eights


def card(index: int) -> str:
    """OpenSpiel's crazy eights card index (rank * 4 + suit, suits CDHS) -> shared card name."""
    return cards.rank_major(index)


def order(c: int) -> tuple[int, int]:
    """The key OpenSpiel's hands are sorted by: suit, then rank."""
    return c % 4, c // 4


def sort(indices) -> tuple[str, ...]:
    """Card names of `indices` sorted by suit, then rank (OpenSpiel shows cards received in a row only as a hand)."""
    return tuple(card(c) for c in sorted(indices, key=order))


class CrazyEights(GameAdapter):
    """The dealer is public; each hand is shown to its owner only once the deal is complete (OpenSpiel shows
    nothing during the deal, so the deal order stays out); a starter eight is put back unseen ('board ?');
    plays, nominations and passes are public; drawn cards are seen by the drawer only.
    """

    name = "crazy_eights"
    default_params = {"players": 2}
    words = ("stock",)
    belief_walk = True  # a guide writes the silent deal as sets and keeps draws and plays possible
    table_words = ("top", "stock", "draw")  # what to match, whether one may pass, how many draws are left
    window = 0  # a window of 32 lost play in its recipe (docs/results.md): b and h read the whole history

    def __init__(self, game, params):
        super().__init__(game, params)
        self.hand_size = 7 if self.num_players == 2 else 5
        self.reshuffle = bool(game.get_parameters()["reshuffle"])  # an empty stock takes the pile back
        self.belief_walk = self.num_players == 2 and not self.reshuffle  # where the guide's places stay in order

    def initial_context(self):
        return {"dealer": None, "dealt": (), "started": False, "actor": -1, "drawn": (), "hands": None,
                "top": None, "suit": None, "stock": 52, "pile": 0, "draws": 0}

    def step(self, ctx, before, actor, action, after):
        if actor >= 0:
            ctx["actor"] = actor
            ctx["draws"] = ctx["draws"] + 1 if action == DRAW else 0  # a turn's draws end with its play or pass
            if action < DRAW:
                ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
                ctx["top"], ctx["suit"] = action, None
                ctx["pile"] += 1
            elif action >= NOMINATE:
                ctx["suit"] = action - NOMINATE
            words = self.action_words(action, "play")
            return [] if action == DRAW else [Event(words[0], actor, words[1:])]
        n = self.num_players
        if ctx["dealer"] is None:
            ctx["dealer"] = action - DEALER
            return [Event("dealer", ctx["dealer"])]
        if len(ctx["dealt"]) < n * self.hand_size:
            ctx["dealt"] += (action,)
            ctx["stock"] -= 1
            return self._hands(ctx) if len(ctx["dealt"]) == n * self.hand_size else []
        if not ctx["started"]:  # the starter card; an eight goes back into the deck unseen
            if action // 4 == EIGHT:
                return [Event("board", None, (card(action),), only())]
            ctx["started"], ctx["top"], ctx["stock"], ctx["pile"] = True, action, ctx["stock"] - 1, 1
            return [Event("board", None, (card(action),))]
        ctx["stock"] -= 1
        if ctx["stock"] == 0 and self.reshuffle:  # the pile but its top card becomes the stock at once
            ctx["stock"], ctx["pile"] = ctx["pile"] - 1, 1
        ctx["hands"] = cards.give(ctx["hands"], ctx["actor"], add=(action,))
        drawn = ctx["drawn"] + (action,)
        ctx["drawn"] = drawn if after.is_chance_node() else ()  # draws in a row (two penalties) show as one
        return [] if ctx["drawn"] else [Event("draw", ctx["actor"], sort(drawn), only(ctx["actor"]))]

    def _hands(self, ctx):
        """One 'deal' event per player with their whole hand."""
        n, first = self.num_players, ctx["dealer"] + 1
        ctx["hands"] = tuple(frozenset(ctx["dealt"][(p - first) % n::n]) for p in range(n))
        return [Event("deal", p, sort(ctx["hands"][p]), only(p)) for p in range(n)]

    def view(self, ctx):
        """`hand ...` of every seat (its owner's alone: the others' hands end their hidden words), the public
        `top CARD [suit_X]` (what the next card must match) and `stock Nk` (cards left to draw: none left, one
        may pass), and `draw Nk` while the seat to move has drawn k cards this turn (at the game's
        `max_draw_cards` it may pass). Public facts a player could count from the history, put where the
        legal actions are read."""
        if ctx["top"] is None:
            return []
        suit = () if ctx["suit"] is None else (cards.SUIT_WORDS[ctx["suit"]],)
        hands = [Event("hand", p, sort(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        table = [Event("top", None, (card(ctx["top"]),) + suit), Event("stock", None, (f"N{ctx['stock']}",))]
        return hands + table + ([Event("draw", None, (f"N{ctx['draws']}",))] if ctx["draws"] else [])

    def action_words(self, action, phase):
        if 0 <= action < DRAW:
            return ("play", card(action))
        if action == DRAW:
            return ("draw",)
        if action == PASS:
            return ("pass",)
        if NOMINATE <= action < NOMINATE + 4:
            return ("nominate", cards.SUIT_WORDS[action - NOMINATE])
        return None


    def belief_guide(self, state, player):
        """Where each card may be, places in time order: the board card; the player's deal and draws (known);
        the opponent's deal, then each of their draws; the stock. A card the opponent played was dealt to them
        or drawn before they played it; a card the player never saw may be anywhere from the opponent's deal on;
        an eight turned up as the starter and put back was in the deck then (it is drawn later or still in the
        stock). Drawing and playing are legal whatever else the hand holds, so nothing else follows. Two
        players without reshuffling only (more seats make the places interleave); None otherwise."""
        steps = deals.moves(state)
        n, size = self.num_players, self.hand_size
        if n != 2 or self.reshuffle or len(steps) <= 1 + n * size:
            return None
        first = steps[0][1] - DEALER + 1
        slots = {1 + k: ("deal", (first + k) % n) for k in range(n * size)}
        mine = {c for i, (_, c) in enumerate(steps[1:1 + n * size]) if (first + i) % n == player}
        drawer, board, draws, played = None, None, {}, []  # draws: history index -> drawer
        for i, (actor, action) in enumerate(steps[1 + n * size:], 1 + n * size):
            if actor >= 0:
                drawer = actor if action == DRAW else None
                if action < DRAW:
                    played.append((actor, action, sum(d != player for d in draws.values())))
            elif drawer is not None:
                draws[i] = drawer
            elif board is None and action // 4 != EIGHT:
                board = action
        theirs = [i for i, d in draws.items() if d != player]
        places = ["board", ("deal", player), "my draws", ("deal", 1 - player)] + theirs + ["stock"]
        capacity = dict.fromkeys(places, 1)  # in time order; a draw is one card
        capacity.update({"board": int(board is not None), ("deal", player): size, ("deal", 1 - player): size,
                         "my draws": len(draws) - len(theirs)})
        capacity["stock"] = 52 - sum(capacity.values()) + 1
        allowed = {c: places[3:] for c in range(52)}  # never seen: anywhere from the opponent's deal on
        allowed.update({c: [("deal", player)] for c in mine})
        allowed.update({steps[i][1]: ["my draws"] for i, d in draws.items() if d == player})
        if board is not None:
            allowed[board] = ["board"]
        for actor, c, k in played:
            if actor != player:
                allowed[c] = places[3:4 + k]  # dealt to them, or drawn before they played it
        slots.update({i: i if d != player else "my draws" for i, d in draws.items()})

        in_deck = places[2:3] + places[4:]  # where a card still in the deck after the deal may end up

        def route(ctx, before, actor, action):
            if actor >= 0 or ctx["dealer"] is None:
                return None
            if not ctx["started"]:  # a starter: the board, or an eight put back into the deck
                return (action, ["board"]) if action // 4 != EIGHT else (action, in_deck)
            return action, [slots[len(before.history())]]

        def an_eight_in_the_deck(alloc) -> bool:
            """A starter eight was put back: some eight was still in the deck after the deal (one suffices: the
            same eight may turn up again)."""
            return any(alloc.can_restrict(c, in_deck) for c in range(EIGHT * 4, EIGHT * 4 + 4))

        put_back = steps[1 + n * size][1] // 4 == EIGHT  # the first starter was an eight
        return deals.Guide(Deadlines.of(capacity, allowed), route, slots=slots,
                           sets={n * size: [(("deal", 1 - player), size)]}, word=card, order=order,
                           holds=an_eight_in_the_deck if put_back else None)
