"""Gin rummy: two players draw (upcard or stock) and discard to form melds; a player with little deadwood knocks,
lays down melds, and the opponent lays off cards on them."""
import pyspiel

from games import deals
from games.base import Event, GameAdapter, only
from games.cards import give
from games.deadlines import Deadlines, Limit

Phase = pyspiel.gin_rummy.Phase
DRAW_UPCARD, DRAW_STOCK, PASS, KNOCK = 52, 53, 54, 55
WALL = pyspiel.gin_rummy.WALL_STOCK_SIZE  # a discard leaving this many cards in the stock brings the wall
MAX_TAKES = pyspiel.gin_rummy.MAX_NUM_DRAW_UPCARD_ACTIONS  # OpenSpiel ends the game (no score) at this upcard draw


def card_name(text: str) -> str:
    """OpenSpiel's card string, e.g. 'Qc', -> shared card name 'CQ'."""
    return text[1].upper() + text[0]


class GinRummy(GameAdapter):
    """Dealt and stock-drawn cards are seen by their recipient only (the other player sees that a card was drawn).

    The first upcard, the upcard taken, discards, knocks, melds laid down and layoffs are public.
    OpenSpiel's observation never shows the knocker's unmelded cards, so neither do we.

    The view (see `view`) holds each hand now and the public table: the upcard, the stock and discard pile, the
    cards taken from the pile that a hand still holds, the knocker, their melds and the layoffs on them, and the
    phase where it is not routine; so the networks read only the latest `window` event tokens of the history.
    """

    name = "gin_rummy"
    words = ("layoff", "pile", "first", "wall")
    phases = ("play", "layoff")  # a card action discards a card, except in the layoff phase
    has_resampler = True
    belief_walk = True  # a guide keeps the walk's choices to possible deals and draws
    table_words = ("top", "stock", "pile", "phase", "meld", "layoff")  # what may be taken, the wall, dead cards,
    # what may be done now, and what may be laid off
    window = 32  # the view holds both hands and every public fact play and the score depend on (the knocker, their
    # melds and layoffs, the phase, the upcard draws counted towards OpenSpiel's limit); the rest of the history is
    # recent context: the last turn or two (Oklahoma's knock card is the first upcard's, long gone: see __init__)

    def __init__(self, game, params):
        super().__init__(game, params)
        p = game.get_parameters()
        self.hand_size = int(p["hand_size"])
        self.num_ranks = int(p["num_ranks"])
        num_cards = self.num_cards = int(p["num_ranks"]) * int(p["num_suits"])
        if p["oklahoma"]:
            self.window = 0  # the knock card is the first upcard's value, which the view does not repeat
        state = game.new_initial_state()
        self.cards = {a: card_name(state.action_to_string(0, a)[-2:]) for a in range(num_cards)}
        self.melds = {}
        self.meld_cards = {}
        index = {name: a for a, name in self.cards.items()}
        for a in range(KNOCK + 1, self.num_actions):
            text = state.action_to_string(0, a).split()[-1]
            self.melds[a] = tuple(card_name(text[i:i + 2]) for i in range(0, len(text), 2))
            self.meld_cards[a] = frozenset(index[name] for name in self.melds[a])

    def initial_context(self):
        none = (frozenset(), frozenset())
        return {"dealt": 0, "drawer": -1, "hands": none, "taken": none, "top": None, "stock": self.num_cards,
                "pile": frozenset(), "passes": 0, "takes": 0, "knocker": None, "melds": (), "layoffs": frozenset(),
                "phase": None}

    def step(self, ctx, before, actor, action, after):
        card = self.cards.get(action)
        if actor < 0:
            n = ctx["dealt"]
            ctx["dealt"] = n + 1
            ctx["stock"] -= 1
            if n == 2 * self.hand_size:
                ctx["top"], ctx["phase"] = action, "first"
                return [Event("reveal", None, (card,))]  # the first upcard
            seat = n // self.hand_size if n < 2 * self.hand_size else ctx["drawer"]
            ctx["hands"] = give(ctx["hands"], seat, add=(action,))
            return [Event("deal", seat, (card,), only(seat))]
        phase = before.current_phase()
        self._track(ctx, phase, actor, action)
        if after.is_terminal():
            ctx["phase"] = None
        if action == DRAW_UPCARD:
            return [Event("take", actor, (self.cards[before.upcard()],))]
        if action == DRAW_STOCK:
            ctx["drawer"] = actor
            return [Event("draw", actor)]
        if action == KNOCK and phase == Phase.WALL:  # knocking at the wall takes the upcard
            return [Event("knock", actor), Event("take", actor, (self.cards[before.upcard()],))]
        words = self.action_words(action, "layoff" if phase == Phase.LAYOFF else "play")
        return [Event(words[0], actor, words[1:])]

    def _track(self, ctx, phase, actor, action):
        """The view's bookkeeping for `actor`'s `action` in OpenSpiel's `phase` (its rules, gin_rummy.cc)."""
        def leave(cards):  # cards leave the actor's hand (and what is known of it)
            ctx["hands"] = give(ctx["hands"], actor, remove=cards)
            ctx["taken"] = give(ctx["taken"], actor, remove=cards)

        def take():  # the upcard goes to the actor's hand, where both players know it is
            ctx["hands"] = give(ctx["hands"], actor, add=(ctx["top"],))
            ctx["taken"] = give(ctx["taken"], actor, add=(ctx["top"],))
            ctx["top"] = None

        if action == DRAW_UPCARD:
            if phase == Phase.DRAW:
                ctx["takes"] += 1
                if ctx["takes"] == MAX_TAKES:  # the game ends there, the upcard untaken
                    ctx["phase"] = None
                    return
            take()
            ctx["phase"] = None
        elif action == DRAW_STOCK:  # the upcard, if any, goes to the discard pile
            if ctx["top"] is not None:
                ctx["pile"] = ctx["pile"] | {ctx["top"]}
            ctx["top"], ctx["phase"] = None, None
        elif phase == Phase.FIRST_UPCARD:  # a pass on the first upcard
            ctx["passes"] += 1
            ctx["phase"] = "draw" if ctx["passes"] == 2 else "first"  # both passed: the stock must be drawn
        elif phase == Phase.WALL:  # knock (taking the upcard) or pass (the game ends)
            if action == KNOCK:
                take()
                ctx["knocker"], ctx["phase"] = actor, "knock"
            else:
                ctx["phase"] = None
        elif phase == Phase.DISCARD:
            if action == KNOCK:
                ctx["knocker"], ctx["phase"] = actor, "knock"
            else:  # the discard is the new upcard
                leave((action,))
                ctx["top"], ctx["phase"] = action, "wall" if ctx["stock"] == WALL else None
        elif phase == Phase.KNOCK:  # the knocker discards (onto the pile), lays melds, then passes
            if action < self.num_cards:
                leave((action,))
                ctx["pile"] = ctx["pile"] | {action}
            elif action == PASS:  # gin (no card left unmelded) leaves nothing to lay off on
                ctx["phase"] = "meld" if not ctx["hands"][actor] else "layoff"
            else:
                leave(self.meld_cards[action])
                ctx["melds"] += (action,)
        elif phase == Phase.LAYOFF:  # the other player lays off cards, passes, lays melds, passes
            if action < self.num_cards:
                leave((action,))
                ctx["layoffs"] = ctx["layoffs"] | {action}
            elif action == PASS:
                ctx["phase"] = "meld" if ctx["phase"] == "layoff" else None
            else:
                leave(self.meld_cards[action])

    def sort(self, indices) -> tuple[str, ...]:
        """Card names of `indices` in OpenSpiel's order: suit (spades, clubs, diamonds, hearts), then rank, ace low."""
        return tuple(self.cards[c] for c in sorted(indices))

    def view(self, ctx):
        """Once the first upcard is turned: every seat's `hand ...` (its owner's alone: the other's ends the hidden
        words) and, public, `take ...` (the cards it took from the pile and holds still: OpenSpiel's known cards)
        and `knock` (the knocker). Then the table: `top CARD` (the upcard, where there is one), `stock Nk` (cards
        left to draw; at two the wall), `pile ...` (the discard pile under the upcard: dead cards), `take Nk`
        (upcard draws so far: OpenSpiel ends the game at the 50th), the knocker's `meld ...`s and the `layoff
        ...` made on them, and `phase WORD` where the phase is not the routine draw and discard: `first` (the
        first upcard may be taken or passed), `draw` (both passed it: the stock must be drawn), `wall` (knock or
        end the game), `knock` (the knocker discards and lays melds), `layoff` (the other lays off),
        `meld` (then lays melds). Facts a player could count from the history, put where a network reads them."""
        if ctx["dealt"] <= 2 * self.hand_size:
            return []
        events = [Event("hand", p, self.sort(h), only(p), only(p)) for p, h in enumerate(ctx["hands"])]
        events += [Event("take", p, self.sort(h)) for p, h in enumerate(ctx["taken"]) if h]
        if ctx["knocker"] is not None:
            events.append(Event("knock", ctx["knocker"]))
        if ctx["top"] is not None:
            events.append(Event("top", None, (self.cards[ctx["top"]],)))
        events.append(Event("stock", None, (f"N{ctx['stock']}",)))
        if ctx["pile"]:
            events.append(Event("pile", None, self.sort(ctx["pile"])))
        if ctx["takes"]:
            events.append(Event("take", None, (f"N{ctx['takes']}",)))
        events += [Event("meld", None, self.melds[m]) for m in ctx["melds"]]
        if ctx["layoffs"]:
            events.append(Event("layoff", None, self.sort(ctx["layoffs"])))
        if ctx["phase"] is not None:
            events.append(Event("phase", None, (ctx["phase"],)))
        return events

    def phase(self, state):
        return "layoff" if state.current_phase() == Phase.LAYOFF else "play"

    def action_words(self, action, phase):
        if action in self.cards:
            return ("layoff" if phase == "layoff" else "discard", self.cards[action])
        if action in self.melds:
            return ("meld",) + self.melds[action]
        return {DRAW_UPCARD: ("take",), DRAW_STOCK: ("draw",), PASS: ("pass",), KNOCK: ("knock",)}.get(action)

    def value(self, card: int) -> int:
        """A card's points as deadwood: ace 1, number cards their number, faces 10."""
        return min(card % self.num_ranks + 1, 10)

    def belief_guide(self, state, player):
        """Where each card may be, places in time order: those the player knows (their deal and draws, the first
        upcard), the opponent's deal, then each of their stock draws, the stock. A card the opponent discarded,
        melded or laid off, unless they took it from the pile, was dealt to them or drawn before they played it;
        a card the player never saw may be anywhere from the opponent's deal on. Discarding is legal whatever
        the hand; knocking is not: once the opponent has knocked and laid their melds, the cards they hold
        unmelded total at most the knock card (OpenSpiel's KnockLegalActions), a limit on the cards the player
        never saw. None before the first upcard."""
        steps, hs, me = deals.moves(state), self.hand_size, player
        if len(steps) <= 2 * hs:
            return None
        known, theirs, played, from_pile, knocker = set(), [], {}, set(), None  # from_pile: taken, still held
        replay, dealt, drawer = self.new_initial_state(), 0, None
        for i, (actor, action) in enumerate(steps):
            if actor < 0:
                seat = dealt // hs if dealt < 2 * hs else (None if dealt == 2 * hs else drawer)
                dealt += 1
                if seat is None or seat == me:
                    known.add(action)
                else:
                    theirs += [i] if dealt > 2 * hs else []
            elif actor != me:
                phase = replay.current_phase()
                if action == DRAW_UPCARD or (action == KNOCK and phase == Phase.WALL):
                    from_pile.add(replay.upcard())
                knocker = actor if action == KNOCK else knocker
                cards = [action] if action < self.num_cards else [
                    c for c, name in self.cards.items() if name in self.melds.get(action, ())]
                for c in cards:  # where it came from is hidden, unless it was taken from the pile
                    if c in from_pile:
                        from_pile.discard(c)
                    else:
                        played.setdefault(c, len(theirs))
            drawer = actor if action == DRAW_STOCK else drawer
            replay.apply_action(action)
        places = ["known", "their deal"] + theirs + ["stock"]
        capacity = dict.fromkeys(places, 1)
        capacity.update({"known": len(known), "their deal": hs})
        capacity["stock"] = self.num_cards - sum(capacity.values()) + 1
        allowed = {c: ["known"] if c in known else places[1:] for c in range(self.num_cards)}
        for c, k in played.items():
            allowed[c] = places[1:2 + k]  # dealt to them, or drawn before they played it
        limit = None
        if knocker is not None and state.current_phase() == Phase.LAYOFF:
            held = sum(self.value(c) for c in from_pile)
            never_seen = {c: self.value(c) for c in range(self.num_cards) if c not in known and c not in played}
            limit = Limit(never_seen, frozenset(places[1:-1]), state.knock_card() - held)

        def route(ctx, before, actor, action):
            n = ctx["dealt"]
            if actor >= 0 or n == 2 * hs or (n // hs if n < 2 * hs else ctx["drawer"]) == me:
                return None
            return action, (["their deal"] if n < 2 * hs else [len(before.history())])
        return deals.Guide(Deadlines.of(capacity, allowed, limit), route)
