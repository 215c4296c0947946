"""Hearts: four players, 13 cards each, pass three cards in a public direction, then 13 tricks avoiding points."""
from games import cards, tricks
from games.base import Event, GameAdapter, only

DEAL_END = 53  # history length when the deal is complete (pass direction + 52 cards)
PASS_END = DEAL_END + 12  # history length when all passes are made


def card(index: int) -> str:
    """OpenSpiel's hearts card index (rank * 4 + suit, suits CDHS) -> shared card name."""
    return cards.rank_major(index)


def hand(indices) -> tuple[str, ...]:
    """Card names of `indices`, suit by suit, low to high (OpenSpiel shows hands as sets)."""
    return tuple(card(i) for i in sorted(indices, key=lambda i: (i % 4, i // 4)))


class Hearts(GameAdapter):
    """The pass direction is public (`pass p+k`: cards go k seats on; `pass me`: no pass).

    Nobody sees the deal order (OpenSpiel's information state shows hands as sets): each dealt
    card is a wholly hidden event, and when the deal completes each player sees their own hand,
    sorted. A passed card is seen by its passer; once all have passed, each receiver (and its
    passer) sees the three cards it got, sorted as OpenSpiel shows them. Plays and trick
    winners are public.
    """

    name = "hearts"
    has_resampler = True
    phases = ("pass", "play")
    words = ("receive",)

    def initial_context(self):
        return {"n": 0, "dir": 0, "trick": ()}

    def step(self, ctx, before, actor, action, after):
        n = ctx["n"]
        ctx["n"] = n + 1
        if n == 0:
            ctx["dir"] = action
            return [Event("pass", None, ("me" if action == 0 else f"p+{action}",))]
        if actor < 0:  # card n - 1 of the deal goes to player (n - 1) % 4; nobody is told the order
            events = [Event("deal", (n - 1) % 4, (card(action),), only(), only())]
            if n + 1 == DEAL_END:
                dealt = after.history()[1:DEAL_END]
                events += [Event("deal", p, hand(dealt[p::4]), only(p)) for p in range(4)]
            return events
        if ctx["dir"] and n < PASS_END:
            events = [Event("pass", actor, (card(action),), only(actor))]
            if n + 1 == PASS_END:
                passed = after.history()[DEAL_END:PASS_END]
                for passer in range(4):
                    receiver = (passer + ctx["dir"]) % 4
                    events.append(Event("receive", receiver, hand(passed[3 * passer:3 * passer + 3]),
                                        only(passer, receiver)))
            return events
        events = [Event("play", actor, (card(action),))]
        taker = tricks.follow(ctx, actor, action % 4, action // 4, 4)
        return events + ([Event("take", taker)] if taker is not None else [])

    def phase(self, state):
        history = state.history() if state.move_number() < PASS_END else ()
        return "pass" if history and history[0] != 0 else "play"

    def action_words(self, action, phase):
        return (phase, card(action)) if 0 <= action < 52 else None

