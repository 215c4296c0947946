"""Per-game training recipes: what `make train GAME=NAME` (`scripts.train --recipe NAME`) runs on a laptop.

A recipe is the command-line flags it adds to `scripts.train`'s defaults, so a user can read it, copy it and
override any flag after it (the last occurrence wins). Every recipe's training fits 30 minutes on 2 CPU cores with
the tiny preset, which learns fastest there; its final games and exploitability come on top. What each recipe
measured, with its command, is in docs/results.md; a game without a row in its results table has not been measured
yet, and each row names the commit it was measured at (the trick games' and go_fish's recipes changed after their
rows: their chance encoder reads outcomes).
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Recipe:
    """The flags a game's recipe adds to `scripts.train`, and why they are what they are."""

    flags: tuple[str, ...]
    why: str


TINY = ("--preset", "tiny")
LONG_UPDATES = 48  # the long games' learner updates an iteration
# The long card games: few cheap Gumbel self-play searches feed many updates, an unroll of 3 (the depths the
# generator is judged at), and a cosine schedule sized to end with the 28 minutes (crazy_eights' recipe, the
# first one measured on a long game).
LONG = TINY + ("--selfplay.root", "gumbel", "--minutes", "28", "--steps", "800", "--unroll", "3",
               "--games-per-iteration", "16", "--selfplay.simulations", "16", "--selfplay.particles", "2",
               "--updates-per-iteration", str(LONG_UPDATES), "--eval-every", "8", "--eval-games", "20",
               "--play.repeats", "1", "--final-games", "100")

RECIPES: dict[str, Recipe] = {
    "kuhn_poker": Recipe(TINY + ("--minutes", "10"), "the defaults, 10 minutes, in which Kuhn poker's "
                                                    "exploitability settles (results.md)"),
    "leduc_poker": Recipe(TINY + ("--replay-weighting", "linear", "--selfplay.simulations", "48", "--steps", "10000",
                                  "--eval-every", "10", "--exploitability-every", "50", "--lr-decay", "constant"),
                          "bounded by its 13 minutes, so self-play searches more and the in-run evaluations come less "
                          "often; linearly weighted replay (CFR+'s average); a constant learning rate"),
    "liars_dice": Recipe(TINY + ("--minutes", "6", "--steps", "100000"),
                         "six minutes of training; the exact exploitability after it searches at each of 24,576 "
                         "information sets and takes far longer (results.md)"),
    "blackjack": Recipe(TINY + ("--minutes", "10"), "one decision at a time against a fixed dealer: the defaults, "
                                                    "10 minutes"),
    "crazy_eights": Recipe(LONG, "the long-game recipe it was first measured with"),
}
# The other long games take crazy_eights' recipe with as many self-play games an iteration as the actor plays
# while the learner makes its updates, to the nearest multiple of 8 (the self-play benchmark's "games/48 updates",
# results.md): a learner-bound game gets more games for free, a self-play-bound one (gin_rummy) fewer, so neither
# side waits on the other.
GAMES_PER_ITERATION = {"gin_rummy": 8, "hearts": 32, "euchre": 80, "skat": 48, "oh_hell": 56, "spades": 16,
                       "bridge": 16, "go_fish": 40, "dou_dizhu": 56}
# What a game adds to that, and why.
EXTRA = {"dou_dizhu": (("--generator-actions", "8"),
                       "; G's loss on 8 of each state's legal actions, whose words run to 23 tokens (on all of them "
                       "an update takes far longer: results.md)"),
         "gin_rummy": (("--play.particles", "2"),
                       "; its published search reads 2 worlds, as its self-play does: at 8 a results row's 200 games "
                       "and its IS-MCTS match take hours (results.md)")}
# The trick games' chance encoder reads who took each trick (ModelConfig.chance_read): the dynamics is told who
# leads next instead of working it out from the cards played (hearts' generator at depth: results.md); go_fish's
# reads how many cards the asked seat handed over, which decides the hands and who asks next.
# The bidding trick games' phi also reads the action into every latent slot (ModelConfig.action_read): a bid names
# no card, and read as one more position it barely moved the afterstate (spades: results.md).
BIDS_IN_SLOTS = ("oh_hell", "spades")
for _game in ("hearts", "euchre", "skat", "oh_hell", "spades", "bridge"):
    _slots = _game in BIDS_IN_SLOTS
    EXTRA[_game] = (("--model", "chance_read", "outcome") + (("action_read", "slots") if _slots else ()),
                    "; its chance encoder reads who took each trick, so the dynamics is told who leads next"
                    + (", and its phi reads a bid into every latent slot" if _slots else "") + " (results.md)")
EXTRA["go_fish"] = (("--model", "chance_read", "outcome"),
                    "; its chance encoder reads how many cards the asked seat handed over, so the dynamics is told "
                    "the hands and who asks next")
for _game, _games in GAMES_PER_ITERATION.items():
    _flags, _why = EXTRA.get(_game, ((), ""))
    RECIPES[_game] = Recipe(LONG + ("--games-per-iteration", str(_games)) + _flags,
                            f"crazy_eights' long-game recipe with {_games} self-play games an iteration (what the "
                            "actor plays during the learner's updates)" + _why)


def recipe(game: str) -> Recipe:
    """The recipe of `game`; ValueError names the games that have one."""
    if game not in RECIPES:
        raise ValueError(f"no recipe for {game!r}; recipes: {', '.join(RECIPES)}")
    return RECIPES[game]
