"""Trick-taking bookkeeping shared by the trick games: who wins each trick, and what each play says about the hand
it came from."""


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


def led(plays: list[tuple[int, int]], players: int) -> list[int | None]:
    """For each play (seat, card) in order, the card that led its trick, None for a lead (a trick is `players`
    plays in a row)."""
    return [None if i % players == 0 else plays[i - i % players][1] for i in range(len(plays))]


def voids(plays: list[tuple[int, int]], players: int, suit) -> list[tuple[int, int]]:
    """(play index, suit led) of each play that did not follow the suit led: its seat held none of that suit
    (`suit(card)` gives a card's suit as the rules count it, trump-adjusted where they say so)."""
    out = []
    for i, lead in enumerate(led(plays, players)):
        if lead is not None and suit(plays[i][1]) != suit(lead):
            out.append((i, suit(lead)))
    return out
