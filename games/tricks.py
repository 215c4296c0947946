"""Trick-taking bookkeeping shared by hearts, spades and oh_hell: who wins each trick."""


def follow(ctx: dict, seat: int, suit: int, rank: int, players: int, trump: int | None = None) -> int | None:
    """Add `seat`'s card to `ctx['trick']`; when the trick is full, clear it and return its winner, else None.

    The winner holds the highest trump, else the highest card of the suit led.
    """
    trick = ctx["trick"] + ((seat, suit, rank),)
    if len(trick) < players:
        ctx["trick"] = trick
        return None
    ctx["trick"] = ()
    led = trick[0][1]
    return max(trick, key=lambda t: (t[1] == trump, t[1] == led, t[2]))[0]
