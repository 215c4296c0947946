"""Dou dizhu: three players, 17 cards each; an auction picks the landlord (dizhu), who takes the 3 leftover cards
and plays alone against the two others; the first to empty their hand wins. Suits play no part."""
import collections
import functools
import re

import pyspiel

from games import cards
from games.base import Event, GameAdapter, only

RANKS = tuple("R" + r for r in "3456789TJQKA2") + (cards.BLACK_JOKER, cards.RED_JOKER)  # low to high
RANK_OF = {"(BWJ)": cards.BLACK_JOKER, "(CJ)": cards.RED_JOKER, **{r[1]: r for r in RANKS[:13]}}
TOKEN = re.compile(r"\(BWJ\)|\(CJ\)|[3-9TJQKA2]")
DEAL_BASE, PLAY_BASE, TRIO_KICKER, AIRPLANE = 51, 4, 133, 471  # action ids where these kinds start


def ranks(text: str) -> tuple[str, ...]:
    """Rank words of an OpenSpiel card string like '3334' or '(BWJ)(CJ)', sorted low to high."""
    return tuple(sorted((RANK_OF[t] for t in TOKEN.findall(text)), key=RANKS.index))


@functools.lru_cache(maxsize=1)
def tables() -> tuple[dict, dict, frozenset]:
    """Per play action: its cards (sorted), its words; and the actions whose cards alone do not name them."""
    game = pyspiel.load_game("dou_dizhu")
    state = game.new_initial_state()
    cards, words, by_cards = {}, {}, collections.defaultdict(list)
    for a in range(PLAY_BASE, game.num_distinct_actions()):
        text = state.action_to_string(0, a)
        cards[a] = ranks(text)
        by_cards[cards[a]].append(a)
        if "-" in text:  # airplane with kickers: chain, then kickers
            chain, kick = text.split("-")
            words[a] = ("play",) + ranks(chain) + ("kicker",) + ranks(kick)
        elif TRIO_KICKER <= a < AIRPLANE:  # trio with a solo or pair kicker
            trio = [r for r in cards[a] if cards[a].count(r) == 3]
            words[a] = ("play",) + tuple(trio) + ("kicker",) + tuple(r for r in cards[a] if r not in trio)
        else:
            words[a] = ("play",) + cards[a]
    ambiguous = frozenset(a for group in by_cards.values() if len(group) > 1 for a in group)
    return cards, words, ambiguous


class DouDizhu(GameAdapter):
    """Who sees what, following OpenSpiel's observation (ranks only, no suits):

    - each dealt card's rank is seen by its recipient only, except the face-up card, whose rank everyone sees;
    - a bid or auction pass is seen by the bidder only; everyone sees when the top bidder changes ('raise'),
      as OpenSpiel shows the landlord-to-be (which starts out as player 0, so player 0's opening bid shows nothing);
    - the landlord alone sees the 3 leftover cards they take;
    - plays show their cards (sorted) to everyone; where those cards could be another combination (airplanes),
      the player alone also notes the kickers, as OpenSpiel shows others only which cards were played.
    """

    name = "dou_dizhu"
    words = ("kicker",)
    belief_walk = True  # a guide keeps the walk's choices to possible deals, bids and kicker readings
    seen_names_action = False  # a dealt card shows its rank, not which of the four it is
    return_unit = 24.0  # the landlord's share of a top bid doubled twice (two bombs, or a bomb and a spring): most
    # games' returns lie within it (results.md), where OpenSpiel's bound, 49,152, allows thirteen doublings

    def __init__(self, game, params):
        super().__init__(game, params)
        self.cards, self.play_words, self.ambiguous = tables()

    def initial_context(self):
        return {"up": -1, "dealt": 0, "left": (1 << 54) - 1, "kitty": (),
                "bidding": True, "dizhu": 0, "best": 0, "passes": 0}

    def step(self, ctx, before, actor, action, after):
        if actor < 0:
            return self._deal(ctx, action)
        if ctx["bidding"]:
            return self._bid(ctx, actor, action)
        if action == 0:
            return [Event("pass", actor)]
        events = [Event("play", actor, self.cards[action])]
        words = self.play_words[action]
        if action in self.ambiguous and "kicker" in words:
            events.append(Event("kicker", actor, words[words.index("kicker") + 1:], only(actor), only(actor)))
        return events

    def _deal(self, ctx, action):
        """Events of a chance step: the face-up position (said at its deal), or one card to the next player."""
        if ctx["up"] < 0:
            ctx["up"] = action
            return []
        n, card = ctx["dealt"], action - DEAL_BASE
        ctx["dealt"] = n + 1
        ctx["left"] &= ~(1 << card)
        if n + 1 == 51:
            ctx["kitty"] = tuple(sorted((card_rank(c) for c in range(54) if ctx["left"] >> c & 1), key=RANKS.index))
        if n == ctx["up"]:
            return [Event("reveal", n % 3, (card_rank(card),))]
        return [Event("deal", n % 3, (card_rank(card),), only(n % 3))]

    def _bid(self, ctx, actor, action):
        """Events of an auction step: the private bid, a public 'raise' when the top bidder changes, the kitty."""
        events = [Event("bid", actor, ("pass" if action == 0 else f"N{action}",), only(actor))]
        if action:
            ctx["best"], ctx["passes"] = action, 0
            if actor != ctx["dizhu"]:
                ctx["dizhu"] = actor
                events.append(Event("raise", actor))
        else:
            ctx["passes"] += 1
        if action == 3 or (ctx["passes"] == 2 and ctx["best"]):
            ctx["bidding"] = False
            events.append(Event("take", ctx["dizhu"], ctx["kitty"], only(ctx["dizhu"])))
        return events

    def belief_guide(self, state, player):
        """What the player knows of the deal, the auction and the kicker readings (games.dou_dizhu_belief)."""
        from games import dou_dizhu_belief

        return dou_dizhu_belief.guide(self, state, player)

    def action_words(self, action, phase):
        if action == 0:
            return ("pass",)
        if 1 <= action <= 3:
            return ("bid", f"N{action}")
        return self.play_words.get(action)


def card_rank(card: int) -> str:
    """Rank word of OpenSpiel's dou dizhu card index (suit-major over ranks 3..2, then the two jokers)."""
    return RANKS[card % 13] if card < 52 else RANKS[card - 52 + 13]
