"""Card names shared by every game: suit letter + rank letter, e.g. 'H7', 'ST', 'CA'; jokers 'black_joker', 'red_joker'.

OpenSpiel numbers cards differently in each game; these helpers map an index
to the shared name under the two layouts it uses, and keep track of who holds what.
"""
RANKS = "23456789TJQKA"
SUITS = "CDHS"
BLACK_JOKER, RED_JOKER = "black_joker", "red_joker"  # not 'BJ'/'RJ': 'RJ' is the jack's rank word
CARDS = tuple(s + r for s in SUITS for r in RANKS) + (BLACK_JOKER, RED_JOKER)
RANK_WORDS = tuple("R" + r for r in RANKS)  # a rank without suit, e.g. 'R7' (go fish asks, dou dizhu combos)
SUIT_WORDS = tuple("suit_" + s for s in SUITS)  # a suit on its own (trump, nominations)


def rank_major(index: int, suits: str = SUITS, ranks: str = RANKS) -> str:
    """Name of card `index` when OpenSpiel numbers cards rank * len(suits) + suit."""
    rank, suit = divmod(index, len(suits))
    return suits[suit] + ranks[rank]


def suit_major(index: int, suits: str = SUITS, ranks: str = RANKS) -> str:
    """Name of card `index` when OpenSpiel numbers cards suit * len(ranks) + rank."""
    suit, rank = divmod(index, len(ranks))
    return suits[suit] + ranks[rank]


def give(hands: tuple[frozenset, ...], seat: int, add=(), remove=()) -> tuple[frozenset, ...]:
    """Per-seat hands of card indices with `add` put into and `remove` taken out of `seat`'s hand (a new tuple:
    view contexts are copied shallowly, so hands are never changed in place)."""
    hands = list(hands)
    hands[seat] = (hands[seat] - frozenset(remove)) | frozenset(add)
    return tuple(hands)
