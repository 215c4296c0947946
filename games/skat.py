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
    words = ("grand", "null")
    phases = ("play", "discard")
    belief_walk = True  # a guide keeps the walk's choices to possible deals and discards

    def initial_context(self):
        return {"t": 0, "skat": (), "discards": 2}

    def step(self, ctx, before, actor, action, after):
        t = ctx["t"]
        ctx["t"] = t + 1
        if actor < 0:
            if t < DECK - 1:  # nobody sees the order
                return []
            dealt = after.history()[:DECK]
            held = [[c for c, r in zip(dealt, RECIPIENT) if r == p] for p in range(4)]
            ctx["skat"] = hand(held[3])
            return [Event("deal", p, hand(held[p]), only(p)) for p in range(3)]
        if action == PASS:
            return [Event("pass", actor)]
        if action > PASS:
            ctx["discards"] = 0
            return [Event("bid", actor, BIDS[action - PASS][1:]), Event("take", actor, ctx["skat"], only(actor))]
        if ctx["discards"] < 2:
            ctx["discards"] += 1
            return [Event("discard", actor, (card(action),), only(actor))]
        return [Event("play", actor, (card(action),))]

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
