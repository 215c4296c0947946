"""Skat (OpenSpiel's simplified version): three players, 32 cards, ten each and two in the skat;
the first player to name a game (suit, grand or null) plays solo, takes the skat, discards two, ten tricks."""
from games import cards, deals
from games.base import Event, GameAdapter, only
from games.either import Either

DECK = 32
PASS = 32  # bids: 32 pass, 33..36 diamonds, hearts, spades, clubs, 37 grand, 38 null
BIDS = (("pass",), ("bid", "suit_D"), ("bid", "suit_H"), ("bid", "suit_S"), ("bid", "suit_C"),
        ("bid", "grand"), ("bid", "null"))
# Deal round -> recipient (3 = the skat), OpenSpiel's official dealing order: 3, skat 2, 4, 3 cards.
RECIPIENT = tuple(0 if r <= 2 or 11 <= r <= 14 or 23 <= r <= 25 else
                  1 if r <= 5 or 15 <= r <= 18 or 26 <= r <= 28 else
                  2 if r <= 8 or 19 <= r <= 22 or r >= 29 else 3 for r in range(DECK))


JACK, GRAND, NULL = 7, 5, 6  # the jack's rank index; the game types (bid - PASS) of grand and null


def suit_as_played(c: int, game: int) -> int:
    """The suit a card counts as when following (OpenSpiel's PlayLegalActions): 4 (trump) for a jack outside
    null, or a card of the trump suit in a suit game (game 1-4: D H S C); else its own suit."""
    if game != NULL and (c % 8 == JACK or (game < GRAND and c // 8 == game - 1)):
        return 4
    return c // 8


VALUE = (0, 0, 0, 3, 4, 10, 11, 2)  # card points by rank index (7 8 9 Q K T A J)


def card_order(c: int, first: int, game: int) -> int:
    """How strong card `c` is in a trick led by `first` (OpenSpiel's CardOrder): a trump above every other card
    (a jack by its suit, above the trump suit's cards), then a card of the suit led by rank (in null: 7 8 9 T J Q
    K A), else -1."""
    suit, rank = divmod(c, 8)
    if game != NULL and (rank == JACK or (game < GRAND and suit == game - 1)):
        return 7 + (suit + JACK if rank == JACK else rank)
    if suit != first // 8:
        return -1
    return (0, 1, 2, 5, 6, 3, 7, 4)[rank] if game == NULL else rank


def card(index: int) -> str:
    """OpenSpiel's skat card index -> shared card name: index = suit * 8 + rank, suits DHSC, ranks 789QKTAJ."""
    return cards.suit_major(index, suits="DHSC", ranks="789QKTAJ")


def hand(indices) -> tuple[str, ...]:
    """Card names of a set of cards in OpenSpiel's order (it shows hands as sets)."""
    return tuple(card(c) for c in sorted(indices))


class Skat(GameAdapter):
    """Nobody sees the deal order (observations show hands as sets): the dealing steps show nothing, and the
    one that completes the deal shows each player their own hand. The skat is seen by no one until the solo
    player takes it. Bids and plays are public; the solo player's two discards are seen by the solo player only.
    """

    name = "skat"
    words = ("grand", "null") + tuple(f"N{k}" for k in range(100, 121))  # a seat's card points reach 120
    phases = ("play", "discard")
    belief_walk = True  # a guide keeps the walk's choices to possible deals and discards
    stream_version = 1  # a trick ends with `pK take`, its taker
    table_words = ("trick",)  # the suit to follow
    window = 32  # the view holds the hands, the game and its solo player, the solo player's discards, the trick and
    # each seat's card points: what the legal plays and the score depend on; the rest of the history is context

    def initial_context(self):
        return {"t": 0, "skat": (), "discards": 2, "hands": None, "solo": None, "game": None, "out": (),
                "trick": (), "points": (0,) * 3}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            if t < DECK - 1:  # nobody sees the order
                return []
            dealt = after.history()[:DECK]
            held = [[c for c, r in zip(dealt, RECIPIENT) if r == p] for p in range(4)]
            ctx["skat"] = hand(held[3])
            ctx["hands"] = tuple(frozenset(held[p]) for p in range(4))  # the fourth: the skat
            return [Event("deal", p, hand(held[p]), only(p)) for p in range(3)]
        if action == PASS:
            return [Event("pass", actor)]
        if action > PASS:
            ctx["discards"] = 0
            ctx["solo"], ctx["game"] = actor, action - PASS
            ctx["hands"] = cards.give(ctx["hands"], actor, add=ctx["hands"][3])
            return [Event("bid", actor, BIDS[action - PASS][1:]), Event("take", actor, ctx["skat"], only(actor))]
        ctx["hands"] = cards.give(ctx["hands"], actor, remove=(action,))
        if ctx["discards"] < 2:
            ctx["discards"] += 1
            ctx["out"] += (action,)
            return [Event("discard", actor, (card(action),), only(actor))]
        trick = ctx["trick"] + ((actor, action),)
        ctx["trick"] = trick if len(trick) < 3 else ()
        if len(trick) < 3:
            return [Event("play", actor, (card(action),))]
        # the strongest card takes the trick's card points
        taker = max(trick, key=lambda play: card_order(play[1], trick[0][1], ctx["game"]))[0]
        won = sum(VALUE[c % 8] for _, c in trick)
        ctx["points"] = tuple(k + won * (p == taker) for p, k in enumerate(ctx["points"]))
        return [Event("play", actor, (card(action),)), Event("take", taker)]

    def view(self, ctx):
        """Once the deal is complete: every seat's `hand ...` (its owner's alone: the others' end the hidden
        words; the solo player's with the skat once taken); once a game is named, `bid GAME` under its solo
        player, the solo player's discards as `discard CARDS...` (the solo player's alone: they count for them
        at the end; the others' hidden words); in the play the `trick CARDS...` so far (what the legal plays
        depend on) and `points Nk` of each seat whose tricks hold any card points (the solo player's against the
        defenders': the score), so that the networks can read a window of the history beside the view."""
        if ctx["hands"] is None:
            return []
        events = [Event("hand", p, hand(ctx["hands"][p]), only(p), only(p)) for p in range(3)]
        if ctx["solo"] is None:
            return events
        solo = ctx["solo"]
        events.append(Event("bid", solo, BIDS[ctx["game"]][1:]))
        if ctx["out"]:
            events.append(Event("discard", None, hand(ctx["out"]), only(solo), only(solo)))
        if ctx["discards"] < 2:
            return events
        events += [Event("points", p, (f"N{k}",)) for p, k in enumerate(ctx["points"]) if k]
        return events + [Event("trick", None, tuple(card(c) for _, c in ctx["trick"]))]

    def phase(self, state):
        h = state.history()
        for i in range(DECK, min(DECK + 3, len(h))):
            if h[i] > PASS:  # the winning bid; the solo player's next two actions are discards
                return "discard" if len(h) - i - 1 < 2 else "play"
        return "play"

    def action_words(self, action, phase):
        if 0 <= action < DECK:
            return ("discard" if phase == "discard" else "play", card(action))
        if phase == "play" and PASS <= action < PASS + len(BIDS):
            return BIDS[action - PASS]
        return None

    def belief_guide(self, state, player):
        """Where each card may be: where it was dealt (a seat's ten, the skat's two) and, to a defender once a game
        is named, whether the solo player kept or discarded it. The player knows their own hand (and the skat
        and the discards, playing solo) and whose each played card was; a hand that did not follow the suit led
        held none of it (suits counted as the game named counts them). A defender never learns how many of the
        discards came from the skat: each count is a possibility (games.either). Bids are legal whatever the
        cards. The deal is silent: the walk writes the two other hands in the order the last deal step shows
        them, then deals them (the skat gets the two cards left). None before the deal is complete (no one
        decides then).
        """
        steps = deals.moves(state)
        if len(steps) < DECK:
            return None
        holder = {c: RECIPIENT[t] for t, (_, c) in enumerate(steps[:DECK])}  # a seat, or 3: the skat
        bid = next(((actor, action - PASS) for actor, action in steps[DECK:] if action > PASS), None)
        solo, game = bid or (None, None)
        later = [(actor, c) for actor, c in steps[DECK:] if c < PASS]
        discards, plays = (later[:2], later[2:]) if bid else ([], [])
        if bid is not None and player != solo:  # the solo player's twelve: dealt or skat, kept or discarded
            kept, out = [("hand", "kept"), ("skat", "kept")], [("hand", "out"), ("skat", "out")]
            defenders = {k: 10 for k in range(3) if k != solo}
            dealt_to = {**{k: [k] for k in defenders}, solo: [kept[0], out[0]], 3: [kept[1], out[1]]}
            d = len(discards)  # x of them from the dealt ten, d - x from the skat: x is never shown
            capacities = [{**defenders, kept[0]: 10 - x, out[0]: x, kept[1]: 2 - d + x, out[1]: d - x}
                          for x in range(max(0, d - 2), d + 1)]
        else:
            kept, out = None, None
            dealt_to = {0: [0], 1: [1], 2: [2], 3: ["skat"]}
            capacities = [{0: 10, 1: 10, 2: 10, "skat": 2}]

        def hand_of(seat):  # the places a seat's hand is made of now
            return kept if seat == solo and kept else dealt_to[seat]

        known = {player} | ({3} if player == solo else set())  # where the cards the player knows were dealt
        holders = deals.Holders(range(DECK), capacities[0])
        for c in range(DECK):
            if holder[c] in known:
                holders.keep(c, dealt_to[holder[c]])
            else:
                holders.drop(c, [p for k in known for p in dealt_to[k]])
        for seat, c in plays:
            if seat != player:
                holders.keep(c, hand_of(seat))
        holders.read_voids(plays, 3, lambda c: suit_as_played(c, game),
                           lambda seat: None if seat == player else hand_of(seat))

        def route(ctx, before, actor, action):  # a defender does not see the discards
            return (action, out) if out and actor >= 0 and action < PASS and ctx["discards"] < 2 else None
        deal = {"slots": dict(enumerate(RECIPIENT)), "sets": {DECK - 1: [(k, 10) for k in range(3) if k != player]},
                "groups": dealt_to, "word": card, "order": lambda c: c}
        if len(capacities) == 1:
            return holders.guide(route, **deal)
        return deals.Guide(Either.of(capacities, holders.may), route, **deal)
